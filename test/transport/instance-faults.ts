// Instances for transport tests, and faults a test inflicts on an emulated instance from this machine,
// as an attacker with root on the instance or a hypervisor freezing it would.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cloud } from '../../src/emulator/index.js';
import { launchRunningInstance } from '../../src/emulator/sdk.js';
import {
  connect,
  type ConnectOptions,
  type SshTarget,
  type Transport,
} from '../../src/transport/index.js';
import { tempDir } from '../helpers/cli.js';

/** A running instance of `cloud`, and how to reach it over ssh. */
export async function launchInstance(cloud: Cloud): Promise<{ id: string; target: SshTarget }> {
  const { id, host } = await launchRunningInstance(cloud);
  const sshArgs = { username: cloud.sshUser, privateKeyPath: cloud.keyPair.privateKeyPath };
  return { id, target: { host, sshArgs } };
}

/** The host folders behind the instance's /usr/local/bin (first in its PATH) and its login user's home. */
export function instanceRoot(cloud: Cloud, instanceId: string): { bin: string; home: string } {
  const disk = join(cloud.stateDir, 'instances', instanceId);
  return { bin: join(disk, 'bin'), home: join(disk, 'home') };
}

function pidNamespace(pid: string): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

function processes(): string[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name));
}

function commandLine(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Every process of the instance `spy` is connected to (its sshd, the sessions, their commands), found through a
 * marker command started there: the processes sharing its pid namespace.
 */
export async function instanceProcesses(spy: Transport): Promise<number[]> {
  const marker = `sleep\0${Math.floor(1e6 + Math.random() * 1e6)}\0`;
  void spy.exec(`exec sleep ${marker.split('\0')[1]}`).catch(() => undefined);
  for (;;) {
    const found = processes().find((pid) => commandLine(pid) === marker);
    const namespace = found && pidNamespace(found);
    if (namespace)
      return processes()
        .filter((pid) => pidNamespace(pid) === namespace)
        .map(Number);
    await sleep(20);
  }
}

/** Freezes the whole instance (SIGSTOP to all its processes); its kernel still holds connections open. */
export async function freezeInstance(spy: Transport): Promise<void> {
  for (const pid of await instanceProcesses(spy)) process.kill(pid, 'SIGSTOP');
}

/** A file of 20 GB that takes no disk space but is read, and so sent, in full: an upload that outlasts any test. */
export function hugeSparseFile(dir: string, name: string): void {
  execFileSync('truncate', ['-s', '20G', join(dir, name)]);
}

/** What `command` prints on the instance. */
export async function remoteOutput(transport: Transport, command: string): Promise<string> {
  let text = '';
  const stdout = new Writable({ write: (chunk, _encoding, done) => ((text += chunk), done()) });
  await transport.exec(command, { stdout });
  return text;
}

/** Waits until `check` holds (bounded by the test's own timeout, never by a timed assertion). */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(50);
}

/** An operation that lasts until a fault ends it, and a check, through another connection, that it is under way. */
export interface OperationUnderWay {
  phase: 'upload' | 'the command' | 'download';
  title: string;
  operation: (transport: Transport) => Promise<unknown>;
  started: (spy: Transport) => Promise<boolean> | boolean;
}

/** One long operation of each phase, each with folders of its own. */
export function operationsUnderWay(): OperationUnderWay[] {
  const upload = tempDir();
  const download = tempDir();
  const downloaded = join(download, 'big.bin');
  return [
    {
      phase: 'upload',
      title: 'an upload',
      operation: (transport) => {
        hugeSparseFile(upload, 'big.bin');
        return transport.put(upload, ['big.bin'], 'up');
      },
      started: async (spy) =>
        Number(await remoteOutput(spy, 'stat -c %s up/big.bin 2>/dev/null || echo 0')) > 0,
    },
    {
      phase: 'the command',
      title: 'a running command',
      operation: (transport) => transport.exec('touch started && sleep 600'),
      started: async (spy) => (await spy.exec('test -e started')) === 0,
    },
    {
      phase: 'download',
      title: 'a download',
      operation: async (transport) => {
        await transport.exec('mkdir -p down && truncate -s 20G down/big.bin');
        return transport.get('down', ['big.bin'], download);
      },
      started: () => existsSync(downloaded) && statSync(downloaded).size > 0,
    },
  ];
}

/** A fault inflicted on a running instance, and the reasons a client may give for the lost connection. */
export interface InstanceFault {
  inflict: (spy: Transport, instanceId: string) => Promise<void>;
  reasons: string;
  options?: ConnectOptions;
}

/**
 * Starts `under.operation` on a fresh instance, inflicts `fault` once it is under way, and checks what the
 * caller sees: the operation fails naming the instance and the phase, later commands fail at once, and
 * closing does not wait.
 */
export async function failsDuring(
  cloud: Cloud,
  under: OperationUnderWay,
  fault: InstanceFault,
): Promise<void> {
  const { id, target } = await launchInstance(cloud);
  const transport = await connect(target, fault.options);
  const spy = await connect(target, fault.options);
  const running = under.operation(transport);
  await until(() => under.started(spy));
  const host = target.host.replace(/\./g, '\\.');
  const failed = assert.rejects(running, {
    message: new RegExp(
      `^ssh: connection to ${host} lost during ${under.phase} \\((${fault.reasons})\\)$`,
    ),
  });
  await fault.inflict(spy, id);
  await failed;
  await assert.rejects(transport.exec('true'), {
    message: /^ssh: connection to [\d.]+ already lost \(/,
  });
  await transport.close();
  await spy.close();
}
