import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REMOTE_GEN = fileURLToPath(new URL('../../shim/remote-gen.js', import.meta.url));
/** The program a user runs (the package's bin, build.ninja's command): the native step client. */
export const STEP_CLIENT = fileURLToPath(new URL('../../shim/remote-exec', import.meta.url));
/** The node client, which the step client runs for all it does not do itself. */
export const REMOTE_EXEC = fileURLToPath(new URL('../../shim/remote-exec.cjs', import.meta.url));

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function result(run: SpawnSyncReturns<string>): Run {
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const made: string[] = [];
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder outside the repository, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scons-remote-test-'));
  made.push(dir);
  return dir;
}

/** A fresh folder outside the repository (so it has no node_modules), holding the given files. */
export function makeProject(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** The test's environment with `overrides` applied; an override of undefined removes the variable. */
export function withEnv(overrides: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env, ...overrides };
  for (const [name, value] of Object.entries(overrides)) if (value === undefined) delete env[name];
  return env;
}

export function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Run {
  return result(spawnSync(command, args, { cwd, encoding: 'utf8', env: withEnv(env) }));
}

/** Like run, but without blocking the event loop (for servers living in this process, such as the emulated cloud). */
export function runAsync(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: withEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export function remoteGen(cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Run {
  return run(process.execPath, [REMOTE_GEN, ...args], cwd, env);
}

export function ninja(cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Run {
  return run('ninja', args, cwd, env);
}

export const LOCAL = { SCONS_REMOTE_MODE: 'local' } as const;

/** Remote mode, whatever mode the environment the tests run in names. */
export const REMOTE = { SCONS_REMOTE_MODE: undefined } as const;
