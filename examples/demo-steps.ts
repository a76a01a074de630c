// What both demos do: headings, commands shown and run with the terminal attached, a fresh copy
// of the decode example, and the check of a remote build against a local one.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXAMPLE = fileURLToPath(new URL('../../examples/decode', import.meta.url));
export const SHIMS = fileURLToPath(new URL('../shim', import.meta.url));

export function say(text: string): void {
  process.stdout.write(process.stdout.isTTY ? `\n\x1b[1m== ${text}\x1b[0m\n` : `\n== ${text}\n`);
}

/** Runs a command with the terminal attached (asynchronously: the emulated cloud lives in this process). */
export function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  process.stdout.write(`$ ${[command, ...args].join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`)),
    );
  });
}

export function copyExample(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scons-remote-demo-'));
  cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

/** Builds `localDir` in local mode and says whether its outputs equal those of `remoteDir`. */
export async function compareWithLocal(
  remoteDir: string,
  localDir: string,
  env: NodeJS.ProcessEnv,
): Promise<boolean> {
  say('The same build with SCONS_REMOTE_MODE=local, for comparison');
  await run(process.execPath, [join(SHIMS, 'remote-gen.js'), '--quiet'], localDir, env);
  await run('ninja', [], localDir, { ...env, SCONS_REMOTE_MODE: 'local' });
  const same = ['decoded.txt', 'summary.txt'].every((file) =>
    readFileSync(join(remoteDir, file)).equals(readFileSync(join(localDir, file))),
  );
  process.stdout.write(
    same
      ? 'Remote and local outputs are equal, byte for byte.\n'
      : 'Remote and local outputs DIFFER.\n',
  );
  return same;
}
