import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Engine } from '../../src/reapi/engine.js';
import type { EngineOptions } from '../../src/reapi/engine-options.js';
import { runStepAction, type StepReport, type StepRequest } from '../../src/reapi/run-action.js';
import { tempDir } from '../helpers/cli.js';
import { copyOf } from '../helpers/cloud.js';

// Test helpers for REAPI steps: run one against an engine with its output captured, run the same
// command locally for comparison, and describe a folder tree byte for byte.

export interface Ran extends StepReport {
  stdout: string;
  stderr: string;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

const hashCaches = new Map<string, string>();

/** One hash cache per project for the test file's life, outside the project. */
function hashCacheFor(baseDir: string): string {
  if (!hashCaches.has(baseDir)) hashCaches.set(baseDir, join(tempDir(), 'hashes.json'));
  return hashCaches.get(baseDir)!;
}

export type StepOptions = Partial<StepRequest> & Pick<StepRequest, 'baseDir' | 'command'>;

/**
 * Runs one step on an engine: through a fresh channel from `engine`'s options, as one shim would,
 * or through a channel shared with other steps, as an agent would.
 */
export async function runStep(engine: EngineOptions | Engine, step: StepOptions): Promise<Ran> {
  const channel = engine instanceof Engine ? engine : new Engine(engine);
  const stdout = collector();
  const stderr = collector();
  try {
    const report = await runStepAction(
      channel,
      {
        workDir: '',
        inputs: [],
        outputs: [],
        scratchDir: join(tempDir(), 'scratch'),
        hashCacheFile: hashCacheFor(step.baseDir),
        ...step,
      },
      { stdout: stdout.stream, stderr: stderr.stream },
    );
    return { ...report, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    if (channel !== engine) channel.close();
  }
}

/** A copy of `project` where `command` ran locally with /bin/sh, as local mode runs it. */
export function runLocally(project: string, command: string): string {
  const copy = copyOf(project);
  execFileSync('/bin/sh', ['-c', command], { cwd: copy, stdio: 'ignore' });
  return copy;
}

/** Every entry under `root` (but `skip`) with its kind, executable bit, content or link target. */
export function describeTree(root: string, skip: readonly string[] = ['.scons-remote']): string[] {
  const lines: string[] = [];
  const walk = (relative: string) => {
    for (const name of readdirSync(join(root, relative)).sort()) {
      const path = relative ? `${relative}/${name}` : name;
      if (skip.includes(path)) continue;
      const at = join(root, path);
      const stats = lstatSync(at);
      if (stats.isSymbolicLink()) lines.push(`${path} -> ${readlinkSync(at)}`);
      else if (stats.isDirectory()) {
        lines.push(`${path}/`);
        walk(path);
      } else {
        const mode = stats.mode & 0o100 ? 'x' : '-';
        lines.push(`${path} ${mode} ${readFileSync(at).toString('base64')}`);
      }
    }
  };
  walk('');
  return lines;
}
