import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs a program to its end; a non-zero exit fails with its name. */
export function run(argv: string[], options: RunOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      ...options,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`bench: ${argv[0]} ${argv[1] ?? ''} exited ${code}`)),
    );
  });
}

/** Runs shell text to its end. */
export function runShell(command: string, options: RunOptions = {}): Promise<void> {
  return run(['sh', '-c', command], options);
}
