import type { ChildProcess } from 'node:child_process';
import type { InstanceDisk } from './instance-disk.js';

export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80,
};

export interface EmulatedInstance {
  instanceId: string;
  reservationId: string;
  imageId: string;
  instanceType: string;
  keyName: string;
  state: InstanceStateName;
  address?: string;
  launchTime: Date;
  tags: Map<string, string>;
  shutdownBehavior: 'stop' | 'terminate';
  disk: InstanceDisk;
  sshd?: ChildProcess;
  /** Every timer of a pending transition, so stop() and new transitions can cancel them. */
  timers: Set<NodeJS.Timeout>;
  /** When the emulated `shutdown` asked for a shutdown, and after how many seconds. */
  shutdownRequest?: { seenAt: number; delaySeconds: number };
}

export function hexId(prefix: string): string {
  return `${prefix}-${Array.from({ length: 17 }, () => Math.floor(Math.random() * 16).toString(16)).join('')}`;
}
