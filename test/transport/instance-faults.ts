import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cloud } from '../../src/emulator/index.js';
import type { Transport } from '../../src/transport/index.js';

// Faults a test inflicts on an emulated instance from this machine, as an attacker with root on the instance
// or a hypervisor freezing it would.

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
    if (namespace) return processes().filter((pid) => pidNamespace(pid) === namespace).map(Number);
    await sleep(20);
  }
}

/** Freezes the whole instance (SIGSTOP to all its processes); its kernel still holds connections open. */
export async function freezeInstance(spy: Transport): Promise<void> {
  for (const pid of await instanceProcesses(spy)) process.kill(pid, 'SIGSTOP');
}
