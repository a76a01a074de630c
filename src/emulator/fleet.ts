import type { InstanceDisk } from './instance-disk.js';
import type { SshdProcess } from './sshd-process.js';

export type InstanceStateName =
  'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** Who powered an instance off, as EC2 reports it in StateReason. */
export type ShutdownInitiator = 'user' | 'instance';

export interface EmulatedInstance {
  instanceId: string;
  reservationId: string;
  imageId: string;
  instanceType: string;
  keyName: string;
  launchIndex: number;
  availabilityZone: string;
  clientToken?: string;
  state: InstanceStateName;
  /** The latest loopback address; a stopped and started instance gets a new one, as a public IP on EC2. */
  address?: string;
  launchTime: Date;
  tags: Map<string, string>;
  shutdownBehavior: 'stop' | 'terminate';
  /** RunInstances' UserData, decoded; its scripts run at first boot, as cloud-init runs them. */
  userData?: string;
  /** Why the instance last left 'running' (EC2's StateReason and StateTransitionReason). */
  stateReason?: { code: string; message: string; at: Date };
  disk: InstanceDisk;
  sshd?: SshdProcess;
  /** Bumped by every power transition, so a boot still under way knows it was overtaken. */
  epoch: number;
  /** Every timer of a pending transition, so stop() and new transitions can cancel them. */
  timers: Set<NodeJS.Timeout>;
  /** When the emulated `shutdown` asked for a shutdown, and after how many seconds. */
  shutdownRequest?: { seenAt: number; delaySeconds: number };
}

export function hexId(prefix: string): string {
  return `${prefix}-${Array.from({ length: 17 }, () => Math.floor(Math.random() * 16).toString(16)).join('')}`;
}
