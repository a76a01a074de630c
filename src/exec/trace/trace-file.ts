import { appendFileSync, closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { traceLockPath, tracePath } from '../../layout/local-state.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { withFileLock } from '../instance/file-lock.js';
import type { BuildIdentity } from './build-identity.js';

// .scons-remote/trace.json holds the last build's steps in the Trace Event Format's JSON Array Format,
// in the form whose closing `]` may be missing (so that writers only append): `[` and the build's
// metadata event on the first line, then one `,{event}` line per event. Each step appends its lines in
// one write to a file opened for appending, so concurrent steps never interleave within a line. The
// first step of a new build replaces the file, under a lock so that its concurrent steps agree on it.

/** One event of the Trace Event Format (durations and timestamps in microseconds). */
export interface TraceEvent {
  name: string;
  ph: 'X' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

const FIRST_LINE_BYTES = 4096;

function firstLine(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return ''; // no trace yet (or none readable): this step starts one
  }
  try {
    const buffer = Buffer.alloc(FIRST_LINE_BYTES);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('utf8').split('\n')[0]!;
  } finally {
    closeSync(fd);
  }
}

function parseLine(line: string): TraceEvent | undefined {
  try {
    return JSON.parse(line.slice(1)) as TraceEvent;
  } catch {
    return undefined;
  }
}

function buildOf(path: string): string | undefined {
  return parseLine(firstLine(path))?.args?.build as string | undefined;
}

function buildEvent(build: BuildIdentity): TraceEvent {
  return {
    name: 'process_name',
    ph: 'M',
    pid: build.pid,
    tid: 0,
    args: { name: `build: ${build.label}`, build: build.id, started: new Date().toISOString() },
  };
}

/** Appends a step's events to the trace of its build, starting that trace if this is its first step. */
export async function appendToTrace(
  stateDir: string,
  build: BuildIdentity,
  events: readonly TraceEvent[],
): Promise<void> {
  const path = tracePath(stateDir);
  if (buildOf(path) !== build.id) {
    await withFileLock(traceLockPath(stateDir), async () => {
      if (buildOf(path) !== build.id)
        writeFileAtomic(path, `[${JSON.stringify(buildEvent(build))}\n`);
    });
  }
  appendFileSync(path, events.map((event) => `,${JSON.stringify(event)}\n`).join(''));
}

/** The events of the last build's trace; a line still being written is left out. Undefined when there is none. */
export function readTrace(stateDir: string): TraceEvent[] | undefined {
  const path = tracePath(stateDir);
  if (!existsSync(path)) return undefined;
  return readFileSync(path, 'utf8')
    .split('\n')
    .map(parseLine)
    .filter((event): event is TraceEvent => event !== undefined);
}
