import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressPool } from './address-pool.js';
import type { EmulatedInstance, ShutdownInitiator } from './fleet.js';
import { ensureHostKey } from './instance-disk.js';
import { CONTROL_FILE } from './instance-tools.js';
import { startSshd, stopSshd } from './sshd-process.js';
import { bootScripts } from './user-data.js';

export interface LifecycleSettings {
  bootDelayMs: number;
  stopDelayMs: number;
  terminatedVisibleMs: number;
  sshPort: number;
  stateDir: string;
  addresses: AddressPool;
}

const SHUTDOWN_POLL_MS = 100;

function stateReason(initiator: ShutdownInitiator): EmulatedInstance['stateReason'] {
  return initiator === 'user'
    ? {
        code: 'Client.UserInitiatedShutdown',
        message: 'Client.UserInitiatedShutdown: User initiated shutdown',
        at: new Date(),
      }
    : {
        code: 'Client.InstanceInitiatedShutdown',
        message: 'Client.InstanceInitiatedShutdown: Instance initiated shutdown',
        at: new Date(),
      };
}

/**
 * Power transitions of instances, with EC2's intermediate states and delays. A running instance is a live sshd;
 * every other state has none. Also serves the emulated `shutdown` run inside instances.
 */
export class InstanceLifecycle {
  #closed = false;
  readonly #underWay = new Set<Promise<unknown>>();
  readonly #watch: NodeJS.Timeout;

  constructor(
    private readonly instances: Map<string, EmulatedInstance>,
    private readonly settings: LifecycleSettings,
  ) {
    this.#watch = setInterval(() => this.#serveShutdownRequests(), SHUTDOWN_POLL_MS);
    this.#watch.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** pending, then running once its sshd listens (so a client that sees 'running' can usually connect at once). */
  boot(instance: EmulatedInstance): void {
    const epoch = this.#transition(instance, 'pending');
    instance.stateReason = undefined;
    this.#later(instance, this.settings.bootDelayMs, async () => {
      try {
        const address = await this.settings.addresses.allocate(this.settings.sshPort);
        instance.address = address;
        const firstBoot = instance.disk.hostKey === undefined;
        ensureHostKey(instance.disk, `ip-${address.replace(/\./g, '-')}`);
        const scripts = firstBoot ? bootScripts(instance.userData) : [];
        const sshd = await startSshd(
          instance.disk,
          address,
          this.settings.sshPort,
          [this.settings.stateDir],
          scripts,
        );
        if (this.#closed || instance.epoch !== epoch) return await stopSshd(sshd);
        instance.sshd = sshd;
        instance.state = 'running';
      } catch (error) {
        // As EC2 does with an instance that fails to launch.
        if (instance.epoch === epoch) this.#transition(instance, 'terminated');
        instance.stateReason = {
          code: 'Server.InternalError',
          message: 'Server.InternalError: Internal error on launch',
          at: new Date(),
        };
        throw error;
      }
    });
  }

  stop(instance: EmulatedInstance, initiator: ShutdownInitiator): void {
    if (instance.state !== 'running' && instance.state !== 'pending') return;
    const epoch = this.#transition(instance, 'stopping');
    instance.stateReason = stateReason(initiator);
    this.#afterPowerOff(instance, () => {
      if (instance.epoch === epoch)
        this.#later(instance, this.settings.stopDelayMs, () => (instance.state = 'stopped'));
    });
  }

  terminate(instance: EmulatedInstance, initiator: ShutdownInitiator): void {
    if (instance.state === 'terminated' || instance.state === 'shutting-down') return;
    const epoch = this.#transition(instance, 'shutting-down');
    instance.stateReason = stateReason(initiator);
    this.#afterPowerOff(instance, () => {
      if (instance.epoch !== epoch) return;
      this.#later(instance, this.settings.stopDelayMs, () => {
        instance.state = 'terminated';
        this.#later(instance, this.settings.terminatedVisibleMs, () =>
          this.instances.delete(instance.instanceId),
        );
      });
    });
  }

  /** Its sshd goes away while EC2 still reports it running: what a client sees on a network fault. */
  killSshd(instance: EmulatedInstance): Promise<void> {
    return this.#powerOff(instance);
  }

  /** Cancels every pending transition, waits for boots under way, and stops every sshd. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#watch);
    for (const instance of this.instances.values()) this.#cancelTimers(instance);
    while (this.#underWay.size > 0) await Promise.allSettled([...this.#underWay]);
    await Promise.all([...this.instances.values()].map((instance) => this.#powerOff(instance)));
  }

  #transition(instance: EmulatedInstance, state: EmulatedInstance['state']): number {
    this.#cancelTimers(instance);
    instance.state = state;
    return ++instance.epoch;
  }

  async #powerOff(instance: EmulatedInstance): Promise<void> {
    const sshd = instance.sshd;
    instance.sshd = undefined;
    instance.shutdownRequest = undefined;
    rmSync(join(instance.disk.etcSsh, CONTROL_FILE), { force: true });
    if (sshd) await stopSshd(sshd);
  }

  #serveShutdownRequests(): void {
    for (const instance of this.instances.values()) {
      if (instance.state !== 'running') continue;
      const request = join(instance.disk.etcSsh, CONTROL_FILE);
      if (!existsSync(request)) {
        instance.shutdownRequest = undefined;
        continue;
      }
      instance.shutdownRequest ??= {
        seenAt: Date.now(),
        delaySeconds: Number(readFileSync(request, 'utf8')) || 0,
      };
      if (
        Date.now() <
        instance.shutdownRequest.seenAt + instance.shutdownRequest.delaySeconds * 1000
      )
        continue;
      if (instance.shutdownBehavior === 'terminate') this.terminate(instance, 'instance');
      else this.stop(instance, 'instance');
    }
  }

  #afterPowerOff(instance: EmulatedInstance, next: () => void): void {
    this.#track(this.#powerOff(instance)).then(next, (error) => this.#report(instance, error));
  }

  #report(instance: EmulatedInstance, error: unknown): void {
    process.stderr.write(`emulator: ${instance.instanceId}: ${(error as Error).message}\n`);
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#underWay.add(work);
    const done = () => this.#underWay.delete(work);
    work.then(done, done);
    return work;
  }

  #later(instance: EmulatedInstance, delayMs: number, step: () => unknown): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      instance.timers.delete(timer);
      this.#track(Promise.resolve().then(step)).catch((error) => this.#report(instance, error));
    }, delayMs);
    instance.timers.add(timer);
  }

  #cancelTimers(instance: EmulatedInstance): void {
    for (const timer of instance.timers) clearTimeout(timer);
    instance.timers.clear();
  }
}
