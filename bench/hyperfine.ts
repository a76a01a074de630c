import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellJoin } from '../src/util/shell-quote.js';
import { tempDir } from '../test/helpers/cli.js';

// Commands that run as a user runs them (a fresh process each time) are timed by hyperfine, Debian's
// /usr/bin/hyperfine, one run per call, in turns with what they are compared with: on a shared
// machine the load changes from minute to minute, and measuring one side's runs after the other's
// made ratios swing by 2x. Each command runs under `sh -c`, as ninja and make run steps; hyperfine's
// own shell (-N off) would cost a second of calibration per call.

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
  results: { times: number[] }[];
}

const inShell = (command: string) => shellJoin(['sh', '-c', command]);

/** One timed run (after `warmup` untimed ones), in ms; hyperfine's progress goes to stderr. */
async function timedRun(benchmark: Benchmark, warmup: number): Promise<number> {
  const json = join(tempDir(), 'hyperfine.json');
  const args = [
    ...['-N', '--style', 'basic', '--runs', '1', '--warmup', String(warmup)],
    ...(benchmark.prepare ? ['--prepare', inShell(benchmark.prepare)] : []),
    ...['--export-json', json, '--command-name', benchmark.name, inShell(benchmark.command)],
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
  return (JSON.parse(readFileSync(json, 'utf8')) as Export).results[0]!.times[0]! * 1000;
}

export function median(times: readonly number[]): number {
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/** The median wall time of each benchmark in ms, their runs taken in turns, round by round. */
export async function mediansMs(benchmarks: readonly Benchmark[]): Promise<number[]> {
  const times = benchmarks.map((): number[] => []);
  const rounds = Math.max(...benchmarks.map((benchmark) => benchmark.runs));
  for (let round = 0; round < rounds; round++) {
    for (const [index, benchmark] of benchmarks.entries()) {
      if (round >= benchmark.runs) continue;
      times[index]!.push(await timedRun(benchmark, round === 0 ? (benchmark.warmup ?? 0) : 0));
    }
  }
  return times.map(median);
}
