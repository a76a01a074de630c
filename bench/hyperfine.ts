import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../test/helpers/cli.js';

// Commands that run as a user runs them (a fresh process each time) are timed by hyperfine, Debian's
// /usr/bin/hyperfine: it subtracts the shell's own start-up and reports medians as JSON.

export interface Benchmark {
  name: string;
  /** Shell text, run in `cwd` with `env`. */
  command: string;
  /** Shell text run before each timed run (and each warm-up), not timed: fresh inputs. */
  prepare?: string;
  runs: number;
  warmup?: number;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

interface Export {
  results: { median: number }[];
}

/** The median wall time of `benchmark`, in ms; hyperfine's progress goes to stderr. */
export async function medianMs(benchmark: Benchmark): Promise<number> {
  const json = join(tempDir(), 'hyperfine.json');
  const args = [
    '--style',
    'basic',
    '--runs',
    String(benchmark.runs),
    '--warmup',
    String(benchmark.warmup ?? 0),
    ...(benchmark.prepare ? ['--prepare', benchmark.prepare] : []),
    '--export-json',
    json,
    '--command-name',
    benchmark.name,
    benchmark.command,
  ];
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('hyperfine', args, {
      cwd: benchmark.cwd,
      env: benchmark.env,
      stdio: ['ignore', process.stderr, process.stderr],
    });
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (status !== 0)
    throw new Error(`bench: '${benchmark.name}' failed (hyperfine exited ${status})`);
  const exported = JSON.parse(readFileSync(json, 'utf8')) as Export;
  return exported.results[0]!.median * 1000;
}
