import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sshdConfig, type InstanceDisk } from './instance-disk.js';
import { LOGIN_USER } from './login-user.js';

/** An instance's sshd: `unshare` (our child) and the PID 1 of the instance's pid namespace (its child). */
export interface SshdProcess {
  wrapper: ChildProcess;
  initPid?: number;
}

const live = new Set<SshdProcess>();

function killNow(sshd: SshdProcess): void {
  for (const pid of [sshd.initPid, sshd.wrapper.pid]) {
    try {
      if (pid) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

// A test that crashes, or calls process.exit() without stopping its cloud, must not leave sshd behind.
// (A SIGKILLed emulator is covered by setpriv --pdeathsig below.)
process.on('exit', () => live.forEach(killNow));

const SYSTEM_DIRS = new Set([
  '',
  'bin',
  'boot',
  'dev',
  'etc',
  'home',
  'lib',
  'lib32',
  'lib64',
  'opt',
  'proc',
  'run',
  'sbin',
  'sys',
  'usr',
  'var',
]);

/** Top-level folders the login user must not see: where the project and the emulator's own files live. */
function hiddenFolders(extra: readonly string[]): string[] {
  const tops = ['/tmp', '/root', '/work', process.cwd(), ...extra].map(
    (path) => `/${path.split('/')[1] ?? ''}`,
  );
  return [...new Set(tops)].filter((top) => !SYSTEM_DIRS.has(top.slice(1)));
}

const LOGIN_ENV = `HOME=/home/${LOGIN_USER} USER=${LOGIN_USER} LOGNAME=${LOGIN_USER} SHELL=/bin/sh PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`;

// cloud-init's final stage, after sshd is up: the user data's scripts, in order, in the background. They run as
// the login user, since the instance has no root to offer (its sudo runs commands as that user too); they land
// in the instance's private /tmp and log to the sshd log.
function bootScriptLines(scripts: readonly string[]): string[] {
  if (scripts.length === 0) return [];
  const dir = '/tmp/cloud-init-scripts';
  const files = scripts.map((_, index) => `${dir}/part-${String(index + 1).padStart(3, '0')}`);
  return [
    `mkdir -p ${dir}`,
    ...scripts.map(
      (script, index) =>
        `printf '%s' ${Buffer.from(script).toString('base64')} | base64 -d > ${files[index]}`,
    ),
    `chmod 755 ${files.join(' ')}`,
    `(for part in ${files.join(' ')}; do setpriv --reuid=${LOGIN_USER} --regid=${LOGIN_USER} --init-groups env -i ${LOGIN_ENV} "$part" </dev/null || echo "cloud-init: $part failed" >&2; done) &`,
  ];
}

// sshd runs as PID 1 of its own pid and mount namespaces: the instance's disk is mounted over /home/ubuntu,
// /etc/ssh and /usr/local/bin, the project is hidden under empty tmpfs mounts, and killing PID 1 ends every
// process the instance started, like a powered-off machine.
function namespaceScript(disk: InstanceDisk, hidden: string[], scripts: readonly string[]): string {
  return [
    'set -e',
    `mount --bind ${JSON.stringify(disk.home)} /home/${LOGIN_USER}`,
    `mount --bind ${JSON.stringify(disk.etcSsh)} /etc/ssh`,
    `mount --bind ${JSON.stringify(disk.bin)} /usr/local/bin`,
    ...hidden.map(
      (folder) => `[ -d ${folder} ] && mount -t tmpfs -o mode=1777 tmpfs ${folder} || true`,
    ),
    ...bootScriptLines(scripts),
    'exec /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config',
  ].join('\n');
}

async function waitForPort(
  address: string,
  port: number,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`sshd for ${address} exited early`);
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

function childPid(pid: number | undefined): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

/** `bootScripts`: what cloud-init would run at this boot (the user data's scripts, on the first one). */
export async function startSshd(
  disk: InstanceDisk,
  address: string,
  port: number,
  hide: readonly string[],
  bootScripts: readonly string[] = [],
): Promise<SshdProcess> {
  writeFileSync(join(disk.etcSsh, 'sshd_config'), sshdConfig(address, port));
  const log = openSync(join(disk.dir, 'sshd.log'), 'a');
  // setpriv: unshare dies with the emulator, even a SIGKILLed one; --kill-child: the namespace dies with unshare.
  const wrapper = spawn(
    'setpriv',
    [
      '--pdeathsig',
      'SIGKILL',
      'unshare',
      '--mount',
      '--propagation',
      'private',
      '--pid',
      '--fork',
      '--kill-child=SIGKILL',
      '--mount-proc',
      'sh',
      '-c',
      namespaceScript(disk, hiddenFolders(hide), bootScripts),
    ],
    { stdio: ['ignore', log, log] },
  );
  wrapper.unref();
  const sshd: SshdProcess = { wrapper };
  live.add(sshd);
  wrapper.once('exit', () => live.delete(sshd));
  try {
    await waitForPort(address, port, wrapper, 10_000);
    sshd.initPid = childPid(wrapper.pid);
  } catch (error) {
    await stopSshd(sshd);
    throw error;
  }
  return sshd;
}

/** Resolves once every process of the instance is gone: unshare reaps PID 1 only after the kernel emptied its namespace. */
export async function stopSshd(sshd: SshdProcess): Promise<void> {
  const { wrapper } = sshd;
  if (wrapper.exitCode !== null || wrapper.signalCode !== null) return;
  const exited = new Promise((resolve) => wrapper.once('exit', resolve));
  wrapper.ref(); // unref'd while it serves, so it would not keep the loop alive long enough to report its exit
  if (sshd.initPid) {
    try {
      process.kill(sshd.initPid, 'SIGKILL');
    } catch {
      wrapper.kill('SIGKILL');
    }
  } else {
    wrapper.kill('SIGKILL');
  }
  await exited;
}
