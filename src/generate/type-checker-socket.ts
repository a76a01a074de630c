import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '../util/user-error.js';

// Where a project's type-checker listens and logs. Not in the project's .scons-remote/: a socket there makes
// copies of the folder fail (node's cpSync, cp -r). In a folder of this user's that no one else may
// enter (XDG_RUNTIME_DIR, else the temporary folder), since whoever answered on the socket would
// choose the JavaScript remote-gen runs; named by the state folder, and short enough for a socket.

function privateDir(): string {
  const uid = process.getuid?.() ?? 0;
  const dir = join(process.env.XDG_RUNTIME_DIR || tmpdir(), `scons-remote-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0)
    throw new UserError(`${dir} is not a folder of this user's alone`);
  return dir;
}

const daemonId = (stateDir: string): string =>
  createHash('sha256').update(resolve(stateDir)).digest('hex').slice(0, 16);

/** The socket of the type-checker of `stateDir`; with `pid`, the name that daemon listens on first. */
export function typeCheckerSocketPath(stateDir: string, pid?: number): string {
  const id = daemonId(stateDir);
  return join(privateDir(), pid === undefined ? `${id}.sock` : `${id}.${pid}.sock`);
}

/**
 * The daemon's log, beside its socket: a daemon writes nothing in the project, so a remote-gen
 * that fails after starting one leaves the project as it found it.
 */
export function typeCheckerLogPath(stateDir: string): string {
  return join(privateDir(), `${daemonId(stateDir)}.log`);
}
