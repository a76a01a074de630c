import { mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressPool } from './address-pool.js';
import { Ec2Error } from './errors.js';
import { hexId, type EmulatedInstance, type InstanceStateName } from './fleet.js';
import { CONTROL_FILE, prepareDisk } from './instance-disk.js';
import { instanceXml, stateXml } from './instance-xml.js';
import type { UserIds } from './login-user.js';
import type { QueryParams } from './query-params.js';
import { startSshd, stopSshd } from './sshd-process.js';
import type { XmlNode } from './xml.js';

export interface Ec2Settings {
  bootDelayMs: number;
  stopDelayMs: number;
  terminatedVisibleMs: number;
  sshPort: number;
  stateDir: string;
  imageId: string;
  ownerId: string;
  /** Public keys by key pair name. */
  keyPairs: Map<string, string>;
  loginUser: UserIds;
  addresses: AddressPool;
}

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** The EC2 actions the project needs, over instances that are real sshd processes. */
export class EmulatedEc2 {
  readonly instances = new Map<string, EmulatedInstance>();
  readonly #reservations = new Map<string, { reservationId: string; instanceIds: string[] }>();
  readonly #watch: NodeJS.Timeout;

  constructor(private readonly settings: Ec2Settings) {
    this.#watch = setInterval(() => this.#serveShutdownRequests(), 100);
    this.#watch.unref();
  }

  RunInstances(params: QueryParams): XmlNode {
    const imageId = params.required('ImageId');
    const minCount = Number(params.required('MinCount'));
    const maxCount = Number(params.required('MaxCount'));
    const token = params.get('ClientToken');
    const earlier = token ? this.#reservations.get(token) : undefined;
    if (earlier) return this.#reservationXml(earlier.reservationId, earlier.instanceIds);
    if (imageId !== this.settings.imageId) throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
    const keyName = params.get('KeyName') ?? '';
    const publicKey = this.settings.keyPairs.get(keyName);
    if (!publicKey) throw new Ec2Error('InvalidKeyPair.NotFound', `The key pair '${keyName}' does not exist`);
    if (!(minCount >= 1 && maxCount >= minCount)) throw new Ec2Error('InvalidParameterValue', 'MinCount and MaxCount must be at least 1, MinCount <= MaxCount');
    const tags = new Map<string, string>();
    for (const spec of params.indexes('TagSpecification')) {
      if (params.get(`TagSpecification.${spec}.ResourceType`) !== 'instance') continue;
      for (const tag of params.indexes(`TagSpecification.${spec}.Tag`)) {
        tags.set(params.get(`TagSpecification.${spec}.Tag.${tag}.Key`) ?? '', params.get(`TagSpecification.${spec}.Tag.${tag}.Value`) ?? '');
      }
    }
    const reservationId = hexId('r');
    const instanceIds = Array.from({ length: minCount }, () => {
      const instanceId = hexId('i');
      const dir = join(this.settings.stateDir, 'instances', instanceId);
      mkdirSync(dir, { recursive: true });
      const instance: EmulatedInstance = {
        instanceId, reservationId, imageId, keyName,
        instanceType: params.get('InstanceType') ?? 'm1.small',
        state: 'pending',
        launchTime: new Date(),
        tags: new Map(tags),
        shutdownBehavior: params.get('InstanceInitiatedShutdownBehavior') === 'terminate' ? 'terminate' : 'stop',
        disk: prepareDisk(dir, `${publicKey}\n`, this.settings.loginUser),
        timers: new Set(),
      };
      this.instances.set(instanceId, instance);
      this.#boot(instance);
      return instanceId;
    });
    if (token) this.#reservations.set(token, { reservationId, instanceIds });
    return this.#reservationXml(reservationId, instanceIds);
  }

  DescribeInstances(params: QueryParams): XmlNode {
    const selected = this.#select(params);
    const byReservation = new Map<string, EmulatedInstance[]>();
    for (const instance of selected) byReservation.set(instance.reservationId, [...(byReservation.get(instance.reservationId) ?? []), instance]);
    return {
      reservationSet: [...byReservation].map(([reservationId, members]) => ({
        reservationId, ownerId: this.settings.ownerId, groupSet: [], instancesSet: members.map((member, index) => instanceXml(member, index)),
      })),
    };
  }

  DescribeInstanceStatus(params: QueryParams): XmlNode {
    const all = params.get('IncludeAllInstances') === 'true';
    return {
      instanceStatusSet: this.#select(params)
        .filter((instance) => all || instance.state === 'running')
        .map((instance) => {
          const health = instance.state === 'running' ? 'ok' : 'not-applicable';
          return {
            instanceId: instance.instanceId,
            availabilityZone: 'emu-1a',
            instanceState: stateXml(instance.state),
            systemStatus: { status: health },
            instanceStatus: { status: health },
          };
        }),
    };
  }

  CreateTags(params: QueryParams): XmlNode {
    const ids = params.list('ResourceId');
    const targets = ids.map((id) => this.#find(id));
    for (const target of targets) {
      for (const tag of params.indexes('Tag')) target.tags.set(params.get(`Tag.${tag}.Key`) ?? '', params.get(`Tag.${tag}.Value`) ?? '');
    }
    return { return: true };
  }

  TerminateInstances(params: QueryParams): XmlNode {
    return this.#transition(params, (instance) => this.terminate(instance));
  }

  StopInstances(params: QueryParams): XmlNode {
    return this.#transition(params, (instance) => {
      if (instance.state === 'running' || instance.state === 'pending') this.#stop(instance);
    });
  }

  StartInstances(params: QueryParams): XmlNode {
    return this.#transition(params, (instance) => {
      if (instance.state !== 'stopped') {
        if (instance.state === 'running' || instance.state === 'pending') return;
        throw new Ec2Error('IncorrectInstanceState', `The instance '${instance.instanceId}' is not in a state from which it can be started`);
      }
      instance.state = 'pending';
      this.#boot(instance);
    });
  }

  GetConsoleOutput(params: QueryParams): XmlNode {
    const instance = this.#find(params.required('InstanceId'));
    const fingerprint = instance.disk.hostKeyFingerprint;
    const console = [
      'ec2: #############################################################',
      'ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----',
      `ec2: ${fingerprint}`,
      'ec2: -----END SSH HOST KEY FINGERPRINTS-----',
      'ec2: #############################################################',
      '-----BEGIN SSH HOST KEY KEYS-----',
      instance.disk.hostPublicKey,
      '-----END SSH HOST KEY KEYS-----',
      '',
    ].join('\n');
    return { instanceId: instance.instanceId, timestamp: new Date().toISOString(), output: Buffer.from(console).toString('base64') };
  }

  /** Terminates now, as TerminateInstances or an instance-initiated shutdown does. */
  terminate(instance: EmulatedInstance): void {
    if (instance.state === 'terminated' || instance.state === 'shutting-down') return;
    this.#cancelTimers(instance);
    instance.state = 'shutting-down';
    void this.#powerOff(instance).then(() => {
      this.#later(instance, this.settings.stopDelayMs, () => {
        instance.state = 'terminated';
        this.#later(instance, this.settings.terminatedVisibleMs, () => this.instances.delete(instance.instanceId));
      });
    });
  }

  async stopAll(): Promise<void> {
    clearInterval(this.#watch);
    for (const instance of this.instances.values()) this.#cancelTimers(instance);
    await Promise.all([...this.instances.values()].map((instance) => this.#powerOff(instance)));
  }

  async killSshd(instance: EmulatedInstance): Promise<void> {
    await this.#powerOff(instance);
  }

  #boot(instance: EmulatedInstance): void {
    this.#later(instance, this.settings.bootDelayMs, async () => {
      instance.address = await this.settings.addresses.allocate(this.settings.sshPort);
      instance.sshd = await startSshd(instance.disk, instance.address, this.settings.sshPort, [this.settings.stateDir]);
      if (instance.state === 'pending') instance.state = 'running';
      else await this.#powerOff(instance);
    });
  }

  #stop(instance: EmulatedInstance): void {
    this.#cancelTimers(instance);
    instance.state = 'stopping';
    void this.#powerOff(instance).then(() => this.#later(instance, this.settings.stopDelayMs, () => (instance.state = 'stopped')));
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
      instance.shutdownRequest ??= { seenAt: Date.now(), delaySeconds: Number(readFileSync(request, 'utf8')) || 0 };
      if (Date.now() < instance.shutdownRequest.seenAt + instance.shutdownRequest.delaySeconds * 1000) continue;
      if (instance.shutdownBehavior === 'terminate') this.terminate(instance);
      else this.#stop(instance);
    }
  }

  #later(instance: EmulatedInstance, delayMs: number, step: () => unknown): void {
    const timer = setTimeout(() => {
      instance.timers.delete(timer);
      Promise.resolve(step()).catch((error) => process.stderr.write(`emulator: ${instance.instanceId}: ${(error as Error).message}\n`));
    }, delayMs);
    instance.timers.add(timer);
  }

  #cancelTimers(instance: EmulatedInstance): void {
    for (const timer of instance.timers) clearTimeout(timer);
    instance.timers.clear();
  }

  #find(instanceId: string): EmulatedInstance {
    if (!INSTANCE_ID.test(instanceId)) throw new Ec2Error('InvalidInstanceID.Malformed', `Invalid id: "${instanceId}"`);
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Ec2Error('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
    return instance;
  }

  #select(params: QueryParams): EmulatedInstance[] {
    const ids = params.list('InstanceId');
    let selected = ids.length ? ids.map((id) => this.#find(id)) : [...this.instances.values()];
    for (const index of params.indexes('Filter')) {
      const name = params.get(`Filter.${index}.Name`) ?? '';
      const values = params.list(`Filter.${index}.Value`);
      selected = selected.filter((instance) => matches(instance, name, values));
    }
    return selected;
  }

  #transition(params: QueryParams, change: (instance: EmulatedInstance) => void): XmlNode {
    const targets = params.list('InstanceId').map((id) => this.#find(id));
    if (targets.length === 0) throw new Ec2Error('MissingParameter', 'The request must contain the parameter InstanceId');
    const before = targets.map((instance) => instance.state);
    targets.forEach(change);
    return {
      instancesSet: targets.map((instance, index) => ({
        instanceId: instance.instanceId, currentState: stateXml(instance.state), previousState: stateXml(before[index]!),
      })),
    };
  }

  #reservationXml(reservationId: string, instanceIds: string[]): XmlNode {
    return {
      reservationId, ownerId: this.settings.ownerId, groupSet: [],
      instancesSet: instanceIds.map((id, index) => instanceXml(this.instances.get(id)!, index)),
    };
  }
}

function matches(instance: EmulatedInstance, name: string, values: string[]): boolean {
  if (name === 'instance-id') return values.includes(instance.instanceId);
  if (name === 'instance-state-name') return values.includes(instance.state satisfies InstanceStateName);
  if (name === 'tag-key') return values.some((key) => instance.tags.has(key));
  if (name.startsWith('tag:')) return values.includes(instance.tags.get(name.slice(4)) ?? '\0');
  throw new Ec2Error('InvalidParameterValue', `The filter '${name}' is invalid`);
}

