import { AsyncLocalStorage } from 'node:async_hooks';
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { PhaseSpan } from '../../api/agent-protocol.js';
import type { JobRequest } from '../../api/job-request.js';
import { currentBuild, type BuildIdentity } from './build-identity.js';
import { appendToTrace, type TraceEvent } from './trace-file.js';

// The trace of this process's one step (or provisioning): the phases the job code marks, written to
// the build's trace when the step ends. Outside a traced step, phases are timed and nothing is written.

/** connect: reaching the instance, which holds wait (for another step's lock), provision and setup. */
export type Phase = 'connect' | 'wait' | 'provision' | 'setup' | 'upload' | 'run' | 'download';

export type StepKind = 'remote' | 'local' | 'provision';

export interface TracedStep {
  stateDir: string;
  kind: StepKind;
  /** What the step is named by in the trace: its targets, or the profile it provisions. */
  label: string;
  outputs?: readonly string[];
  command?: string;
}

type Span = PhaseSpan & { phase: Phase };

/** Whose step it is: this process's, or the native client's whose step the agent runs. */
export interface StepOrigin {
  pid: number;
  /** The folder the step's relative paths start from. */
  cwd: string;
  /** Microseconds since the epoch. */
  started: number;
  spans: readonly PhaseSpan[];
  client: 'node' | 'native';
}

/** How a step is named in the trace: by its outputs, else its command. */
export function tracedStep(
  request: JobRequest,
  kind: 'local' | 'remote',
  stateDir: string,
): TracedStep {
  const { outputs, command } = request;
  const label = outputs.length > 0 ? outputs.join(' ') : command;
  return { stateDir, kind, label, outputs, command };
}

const processSpans: Span[] = [];
// The agent runs many jobs at once: each job's phases are its own, and go back to its client.
const jobSpans = new AsyncLocalStorage<Span[]>();
const currentSpans = (): Span[] => jobSpans.getStore() ?? processSpans;

/** Microseconds since the epoch, comparable across the build's processes. */
const now = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);

/**
 * Starts timing a phase; the returned function ends it, recording it with the content bytes it
 * moved, and returns its milliseconds.
 */
export function phase(name: Phase): (bytes?: number) => number {
  const start = now();
  const spans = currentSpans();
  return (bytes) => {
    const end = now();
    spans.push({ phase: name, start, end, ...(bytes === undefined ? {} : { bytes }) });
    return Math.round((end - start) / 1000);
  };
}

export async function inPhase<T>(name: Phase, work: () => Promise<T>): Promise<T> {
  const stop = phase(name);
  try {
    return await work();
  } finally {
    stop();
  }
}

/** Runs `work` with phases of its own, collected into `spans` rather than traced here. */
export function withOwnPhases<T>(spans: PhaseSpan[], work: () => Promise<T>): Promise<T> {
  return jobSpans.run(spans as Span[], work);
}

/** Phases timed elsewhere for this process's step (by the agent, for its client). */
export function addPhases(spans: readonly PhaseSpan[]): void {
  processSpans.push(...(spans as Span[]));
}

/** Bytes of the files at `paths` (folders walked), as brought back. */
function treeBytes(paths: readonly string[], cwd: string): number {
  let total = 0;
  const visit = (path: string, follow: boolean): void => {
    const stat = follow ? statSync(path) : lstatSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name), false);
    else if (stat.isFile()) total += stat.size;
  };
  for (const path of paths) {
    try {
      visit(resolve(cwd, path), true);
    } catch {
      // A path that vanished counts for nothing: the trace never fails a step.
    }
  }
  return total;
}

function stepEvents(
  step: TracedStep,
  build: BuildIdentity,
  status: number,
  origin: StepOrigin,
): TraceEvent[] {
  const ids = { pid: build.pid, tid: origin.pid };
  const brought = step.kind === 'remote' && status === 0 ? (step.outputs ?? []) : [];
  const args = {
    kind: step.kind,
    status,
    client: origin.client,
    // What was sent, not the inputs' size: inputs the instance or engine holds cost nothing (and
    // statting a thousand of them again would cost a step milliseconds).
    bytesUp: origin.spans.reduce(
      (sum, span) => sum + (span.phase === 'upload' ? (span.bytes ?? 0) : 0),
      0,
    ),
    bytesDown: treeBytes(brought, origin.cwd),
    ...(step.command === undefined ? {} : { command: step.command }),
  };
  const { started } = origin;
  return [
    { name: 'thread_name', ph: 'M', ...ids, args: { name: step.label } },
    { name: step.kind, cat: 'step', ph: 'X', ts: started, dur: now() - started, ...ids, args },
    ...origin.spans.map(({ phase: name, start: ts, end }): TraceEvent => {
      return { name, cat: 'phase', ph: 'X', ts, dur: end - ts, ...ids };
    }),
  ];
}

/** This process's own step, begun now. */
export function thisProcessOrigin(): StepOrigin {
  return {
    pid: process.pid,
    cwd: process.cwd(),
    started: now(),
    spans: processSpans,
    client: 'node',
  };
}

/**
 * Runs the step, then adds it to the build's trace (`.scons-remote/trace.json`), whatever its
 * outcome. By default the step is this process's; the agent passes its native client's origin.
 */
export async function traced(
  step: TracedStep,
  work: () => Promise<number>,
  origin: StepOrigin = thisProcessOrigin(),
): Promise<number> {
  let status = 255;
  try {
    status = await work();
    return status;
  } finally {
    try {
      const build = currentBuild(origin.pid);
      await appendToTrace(step.stateDir, build, stepEvents(step, build, status, origin));
    } catch {
      // Tracing is an aid: a state folder that cannot be written fails the step elsewhere, or not at all.
    }
  }
}
