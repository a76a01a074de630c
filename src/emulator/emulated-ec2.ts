import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { consoleOutput } from './console-output.js';
import { Ec2Error } from './errors.js';
import { hexId, type EmulatedInstance } from './fleet.js';
import { prepareDisk } from './instance-disk.js';
import { matchesFilter } from './instance-filters.js';
import type { InstanceLifecycle } from './instance-lifecycle.js';
import { instanceXml, stateXml } from './instance-xml.js';
import type { UserIds } from './login-user.js';
import type { QueryParams } from './query-params.js';
import { decodeUserData } from './user-data.js';
import type { XmlNode } from './xml.js';

export interface Ec2Settings {
  stateDir: string;
  imageId: string;
  ownerId: string;
  availabilityZone: string;
  /** Public keys by key pair name. */
  keyPairs: Map<string, string>;
  loginUser: UserIds;
}

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** Everything but the token, in a stable order: what makes two RunInstances with one ClientToken "the same request". */
function requestKey(params: QueryParams): string {
  return JSON.stringify(
    Object.entries(params.raw)
      .filter(([name]) => name !== 'ClientToken')
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** The EC2 actions the project needs, answering with the XML elements of the EC2 API reference. */
export class EmulatedEc2 {
  readonly #reservations = new Map<
    string,
    { reservationId: string; instanceIds: string[]; request: string }
  >();

  constructor(
    readonly instances: Map<string, EmulatedInstance>,
    private readonly lifecycle: InstanceLifecycle,
    private readonly settings: Ec2Settings,
  ) {}

  RunInstances(params: QueryParams): XmlNode {
    const imageId = params.required('ImageId');
    const minCount = Number(params.required('MinCount'));
    const maxCount = Number(params.required('MaxCount'));
    const token = params.get('ClientToken');
    const earlier = token ? this.#reservations.get(token) : undefined;
    if (earlier) {
      if (earlier.request !== requestKey(params))
        throw new Ec2Error(
          'IdempotentParameterMismatch',
          `Client token '${token}' was used with a different request`,
        );
      return this.#reservationXml(earlier.reservationId, earlier.instanceIds);
    }
    if (!(
      Number.isInteger(minCount) &&
      Number.isInteger(maxCount) &&
      minCount >= 1 &&
      maxCount >= minCount
    )) {
      throw new Ec2Error(
        'InvalidParameterValue',
        'MinCount and MaxCount must be whole numbers, at least 1, with MinCount <= MaxCount',
      );
    }
    if (imageId !== this.settings.imageId)
      throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
    const keyName = params.get('KeyName') ?? '';
    const publicKey = this.settings.keyPairs.get(keyName);
    if (!publicKey)
      throw new Ec2Error('InvalidKeyPair.NotFound', `The key pair '${keyName}' does not exist`);
    const behavior = params.get('InstanceInitiatedShutdownBehavior') ?? 'stop';
    if (behavior !== 'stop' && behavior !== 'terminate')
      throw new Ec2Error(
        'InvalidParameterValue',
        `Invalid value '${behavior}' for InstanceInitiatedShutdownBehavior`,
      );
    const tags = this.#launchTags(params);
    const userData = decodeUserData(params.get('UserData'));
    const reservationId = hexId('r');
    const instanceIds = Array.from({ length: maxCount }, (_, launchIndex) => {
      const instanceId = hexId('i');
      const dir = join(this.settings.stateDir, 'instances', instanceId);
      mkdirSync(dir, { recursive: true });
      const instance: EmulatedInstance = {
        instanceId,
        reservationId,
        imageId,
        keyName,
        launchIndex,
        availabilityZone: this.settings.availabilityZone,
        clientToken: token,
        instanceType: params.get('InstanceType') ?? 'm1.small',
        state: 'pending',
        launchTime: new Date(),
        tags: new Map(tags),
        shutdownBehavior: behavior,
        userData,
        disk: prepareDisk(dir, `${publicKey}\n`, this.settings.loginUser),
        epoch: 0,
        timers: new Set(),
      };
      this.instances.set(instanceId, instance);
      this.lifecycle.boot(instance);
      return instanceId;
    });
    if (token)
      this.#reservations.set(token, { reservationId, instanceIds, request: requestKey(params) });
    return this.#reservationXml(reservationId, instanceIds);
  }

  DescribeInstances(params: QueryParams): XmlNode {
    const byReservation = new Map<string, EmulatedInstance[]>();
    for (const instance of this.#select(params))
      byReservation.set(instance.reservationId, [
        ...(byReservation.get(instance.reservationId) ?? []),
        instance,
      ]);
    return {
      reservationSet: [...byReservation].map(([reservationId, members]) => ({
        reservationId,
        ownerId: this.settings.ownerId,
        groupSet: [],
        instancesSet: members.map(instanceXml),
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
            availabilityZone: instance.availabilityZone,
            instanceState: stateXml(instance.state),
            systemStatus: { status: health },
            instanceStatus: { status: health },
          };
        }),
    };
  }

  CreateTags(params: QueryParams): XmlNode {
    const ids = params.list('ResourceId');
    if (ids.length === 0)
      throw new Ec2Error('MissingParameter', 'The request must contain the parameter ResourceId');
    const targets = ids.map((id) => this.#find(id));
    for (const target of targets) {
      for (const tag of params.indexes('Tag'))
        target.tags.set(params.get(`Tag.${tag}.Key`) ?? '', params.get(`Tag.${tag}.Value`) ?? '');
    }
    return { return: true };
  }

  TerminateInstances(params: QueryParams): XmlNode {
    return this.#transition(params, (instance) => this.lifecycle.terminate(instance, 'user'));
  }

  StopInstances(params: QueryParams): XmlNode {
    return this.#transition(params, (instance) => {
      if (instance.state === 'stopped' || instance.state === 'stopping') return;
      if (instance.state !== 'running' && instance.state !== 'pending')
        this.#incorrectState(instance, 'stopped');
      this.lifecycle.stop(instance, 'user');
    });
  }

  StartInstances(params: QueryParams): XmlNode {
    return this.#transition(params, (instance) => {
      if (instance.state === 'running' || instance.state === 'pending') return;
      if (instance.state !== 'stopped') this.#incorrectState(instance, 'started');
      this.lifecycle.boot(instance);
    });
  }

  GetConsoleOutput(params: QueryParams): XmlNode {
    const instance = this.#find(params.required('InstanceId'));
    const output = consoleOutput(instance.disk);
    return {
      instanceId: instance.instanceId,
      timestamp: new Date().toISOString(),
      output: output && Buffer.from(output).toString('base64'),
    };
  }

  #launchTags(params: QueryParams): Map<string, string> {
    const tags = new Map<string, string>();
    for (const spec of params.indexes('TagSpecification')) {
      if (params.get(`TagSpecification.${spec}.ResourceType`) !== 'instance') continue;
      for (const tag of params.indexes(`TagSpecification.${spec}.Tag`)) {
        tags.set(
          params.get(`TagSpecification.${spec}.Tag.${tag}.Key`) ?? '',
          params.get(`TagSpecification.${spec}.Tag.${tag}.Value`) ?? '',
        );
      }
    }
    return tags;
  }

  #incorrectState(instance: EmulatedInstance, wanted: string): never {
    throw new Ec2Error(
      'IncorrectInstanceState',
      `This instance '${instance.instanceId}' is not in a state from which it can be ${wanted}.`,
    );
  }

  #find(instanceId: string): EmulatedInstance {
    if (!INSTANCE_ID.test(instanceId))
      throw new Ec2Error('InvalidInstanceID.Malformed', `Invalid id: "${instanceId}"`);
    const instance = this.instances.get(instanceId);
    if (!instance)
      throw new Ec2Error(
        'InvalidInstanceID.NotFound',
        `The instance ID '${instanceId}' does not exist`,
      );
    return instance;
  }

  #select(params: QueryParams): EmulatedInstance[] {
    const ids = params.list('InstanceId');
    let selected = ids.length ? ids.map((id) => this.#find(id)) : [...this.instances.values()];
    for (const index of params.indexes('Filter')) {
      const name = params.get(`Filter.${index}.Name`) ?? '';
      const values = params.list(`Filter.${index}.Value`);
      selected = selected.filter((instance) => matchesFilter(instance, name, values));
    }
    return selected;
  }

  #transition(params: QueryParams, change: (instance: EmulatedInstance) => void): XmlNode {
    const targets = params.list('InstanceId').map((id) => this.#find(id));
    if (targets.length === 0)
      throw new Ec2Error('MissingParameter', 'The request must contain the parameter InstanceId');
    const before = targets.map((instance) => instance.state);
    targets.forEach(change);
    return {
      instancesSet: targets.map((instance, index) => ({
        instanceId: instance.instanceId,
        currentState: stateXml(instance.state),
        previousState: stateXml(before[index]!),
      })),
    };
  }

  #reservationXml(reservationId: string, instanceIds: string[]): XmlNode {
    const members = instanceIds
      .map((id) => this.instances.get(id))
      .filter((instance) => instance !== undefined);
    return {
      reservationId,
      ownerId: this.settings.ownerId,
      groupSet: [],
      instancesSet: members.map(instanceXml),
    };
  }
}
