import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

export const LOGIN_USER = 'ubuntu';

export interface UserIds {
  uid: number;
  gid: number;
}

function lookup(): UserIds | undefined {
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, LOGIN_USER], { encoding: 'utf8', stdio: 'pipe' }));
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/** sshd without PAM refuses a locked account ('!' in /etc/shadow); '*' is closed to passwords but open to keys. */
function openToKeys(): boolean {
  const entry = readFileSync('/etc/shadow', 'utf8')
    .split('\n')
    .find((line) => line.startsWith(`${LOGIN_USER}:`));
  return entry?.split(':')[1] === '*';
}

// Emulators of test files running at once all get here: useradd and usermod fail while another holds the lock.
function retried(command: string, args: string[], done: () => boolean): void {
  for (let attempt = 1; !done(); attempt++) {
    try {
      execFileSync(command, args, { stdio: 'pipe' });
    } catch (error) {
      if (done()) return;
      if (attempt >= 20)
        throw new Error(
          `cannot prepare the instances' login user '${LOGIN_USER}' (the emulator needs root): ${(error as Error).message}`,
          { cause: error },
        );
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 * attempt);
    }
  }
}

/**
 * The non-root login user every emulated instance has, as on a stock Ubuntu AMI. It is created once on this
 * machine (the emulator runs as root), without a home of its own: each instance mounts its disk there.
 */
export function ensureLoginUser(): UserIds {
  retried(
    'useradd',
    ['--no-create-home', '--home-dir', `/home/${LOGIN_USER}`, '--shell', '/bin/sh', LOGIN_USER],
    () => lookup() !== undefined,
  );
  retried('usermod', ['-p', '*', LOGIN_USER], openToKeys);
  mkdirSync(`/home/${LOGIN_USER}`, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  return lookup()!;
}
