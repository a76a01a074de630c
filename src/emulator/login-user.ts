import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

export const LOGIN_USER = 'ubuntu';

export interface UserIds { uid: number; gid: number }

/**
 * The non-root login user every emulated instance has, as on a stock Ubuntu AMI. It is created once on this
 * machine (the emulator runs as root) with a `*` password: locked to passwords, open to keys.
 */
export function ensureLoginUser(): UserIds {
  const lookup = (): UserIds | undefined => {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, LOGIN_USER], { encoding: 'utf8', stdio: 'pipe' }));
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      return undefined;
    }
  };
  let ids = lookup();
  if (!ids) {
    try {
      execFileSync('useradd', ['--no-create-home', '--home-dir', `/home/${LOGIN_USER}`, '--shell', '/bin/sh', LOGIN_USER], { stdio: 'pipe' });
    } catch (error) {
      if (!lookup()) throw new Error(`cannot create the instances' login user '${LOGIN_USER}' (the emulator needs root): ${(error as Error).message}`);
    }
    ids = lookup()!;
  }
  execFileSync('usermod', ['-p', '*', LOGIN_USER], { stdio: 'pipe' });
  mkdirSync(`/home/${LOGIN_USER}`, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  return ids;
}
