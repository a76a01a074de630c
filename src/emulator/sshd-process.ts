import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sshdConfig, type InstanceDisk } from './instance-disk.js';
import { LOGIN_USER } from './login-user.js';

const SYSTEM_DIRS = new Set(['', 'bin', 'boot', 'dev', 'etc', 'home', 'lib', 'lib32', 'lib64', 'opt', 'proc', 'run', 'sbin', 'sys', 'usr', 'var']);

/** Top-level folders the login user must not see: where the project and the emulator's own files live. */
function hiddenFolders(extra: readonly string[]): string[] {
  const tops = ['/tmp', '/root', '/work', process.cwd(), ...extra].map((path) => `/${path.split('/')[1] ?? ''}`);
  return [...new Set(tops)].filter((top) => !SYSTEM_DIRS.has(top.slice(1)));
}

// sshd runs as PID 1 of its own pid and mount namespaces: the instance's disk is mounted over /home/ubuntu,
// /etc/ssh and /usr/local/bin, the project is hidden under empty tmpfs mounts, and killing the namespace
// (SIGKILL to unshare, with --kill-child) ends every process the instance started, like a powered-off machine.
function namespaceScript(disk: InstanceDisk, hidden: string[]): string {
  return [
    'set -e',
    `mount --bind ${JSON.stringify(disk.home)} /home/${LOGIN_USER}`,
    `mount --bind ${JSON.stringify(disk.etcSsh)} /etc/ssh`,
    `mount --bind ${JSON.stringify(disk.bin)} /usr/local/bin`,
    ...hidden.map((folder) => `[ -d ${folder} ] && mount -t tmpfs -o mode=1777 tmpfs ${folder} || true`),
    'exec /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config',
  ].join('\n');
}

async function waitForPort(address: string, port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`sshd for ${address} exited early`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: address, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(25);
  }
  throw new Error(`sshd for ${address} did not listen within ${timeoutMs} ms`);
}

export async function startSshd(disk: InstanceDisk, address: string, port: number, hide: readonly string[]): Promise<ChildProcess> {
  writeFileSync(join(disk.etcSsh, 'sshd_config'), sshdConfig(address, port));
  const log = openSync(join(disk.dir, 'sshd.log'), 'a');
  const child = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child=SIGKILL', '--mount-proc', 'sh', '-c', namespaceScript(disk, hiddenFolders(hide))],
    { stdio: ['ignore', log, log] },
  );
  child.unref();
  try {
    await waitForPort(address, port, child, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return child;
}

export async function stopSshd(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.ref(); // unref'd while it serves, so it would not keep the loop alive long enough to report its exit
  child.kill('SIGKILL');
  await exited;
}
