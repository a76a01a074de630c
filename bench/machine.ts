import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

// What the numbers were measured on: they mean little without it.

function firstLine(program: string, args: string[]): string {
  try {
    const output = execFileSync(program, args, { encoding: 'utf8', stdio: 'pipe' });
    return output.split('\n')[0]!.trim();
  } catch (error) {
    // `ssh -V` prints its version on stderr, and older versions exit non-zero with it.
    const stderr = (error as { stderr?: string }).stderr ?? '';
    return stderr.split('\n')[0]!.trim() || 'not found';
  }
}

function osName(): string {
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
  return `${pretty?.[1] ?? 'Linux'}, kernel ${release()}`;
}

export function loadAverage(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
}

/** One `name: value` pair per line. */
export function describeMachine(): [string, string][] {
  const ssh = execFileSync('sh', ['-c', 'ssh -V 2>&1'], { encoding: 'utf8' }).trim();
  return [
    ['CPU', cpus()[0]?.model ?? 'unknown'],
    ['cores', String(cpus().length)],
    ['memory', `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['OS', osName()],
    ['node', process.version],
    ['OpenSSH', ssh],
    ['rsync', firstLine('rsync', ['--version'])],
    ['hyperfine', firstLine('hyperfine', ['--version'])],
  ];
}
