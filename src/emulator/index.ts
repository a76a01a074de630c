import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { AddressPool } from './address-pool.js';
import { EmulatedEc2 } from './emulated-ec2.js';
import type { EmulatedInstance } from './fleet.js';
import { InstanceLifecycle } from './instance-lifecycle.js';
import { generateKeyPair, type KeyPair } from './key-pairs.js';
import { ensureLoginUser, LOGIN_USER } from './login-user.js';
import { type CallRecord, type QueryApi, startQueryServer } from './query-server.js';

export type { CallRecord } from './query-server.js';
export type { KeyPair } from './key-pairs.js';

export interface CloudOptions {
  /** pending → running (default 300 ms). */
  bootDelayMs?: number;
  /** stopping → stopped and shutting-down → terminated, once the sshd is gone (default 200 ms). */
  stopDelayMs?: number;
  /** How long terminated instances stay listed (default 60 s). */
  terminatedVisibleMs?: number;
  /** Where keys and instance disks go (default: a new temporary folder, removed by stop()). */
  stateDir?: string;
  region?: string;
  /** The EC2 API's port on 127.0.0.1 (default: any free port). */
  apiPort?: number;
  /** The port every instance's sshd listens on, each on its own loopback address (default 22). */
  sshPort?: number;
}

export interface InstanceSummary {
  instanceId: string;
  state: string;
  /** Its latest loopback address ('' before its first boot); kept while stopped, to compare with the next one. */
  address: string;
  tags: Record<string, string>;
  launchedAt: number;
  shutdownBehavior: string;
}

export interface Cloud {
  endpoint: string;
  region: string;
  /** The emulator's only valid credentials; requests signed with another access key id fail with AuthFailure. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The only valid AMI. */
  imageId: string;
  /** A key pair made at start; its private key (mode 0600) is in stateDir. */
  keyPair: KeyPair;
  sshUser: 'ubuntu';
  sshPort: number;
  stateDir: string;
  /** Variables that point the AWS SDK's default chain (and so remote-exec) at this cloud. */
  env(): Record<string, string>;
  /** Another key pair RunInstances accepts as KeyName. Synchronous, so `await` on it is optional. */
  addKeyPair(name: string): KeyPair;
  /** The next `count` (default 1) calls of `action` fail with the EC2 error `code`. */
  injectFault(action: string, code: string, count?: number): void;
  calls(): CallRecord[];
  instances(): InstanceSummary[];
  /** Its sshd goes away while it stays 'running', as on a network fault. */
  killSshd(instanceId: string): Promise<void>;
  /** Terminates it with no API call; resolves once it is 'terminated'. */
  terminateBehindBack(instanceId: string): Promise<void>;
  /** Stops the API and every sshd; when it resolves, no process of this cloud is left. */
  stop(): Promise<void>;
}

const ACCESS_KEY_ID = 'AKIAEMULATEDCLOUD000';
const SECRET_ACCESS_KEY = 'emulated-cloud-secret-not-a-real-key';
const IMAGE_ID = 'ami-0e0e0e0e0e0e0e0e0';
const OWNER_ID = '123456789012';

function summary(instance: EmulatedInstance): InstanceSummary {
  return {
    instanceId: instance.instanceId,
    state: instance.state,
    address: instance.address ?? '',
    tags: Object.fromEntries(instance.tags),
    launchedAt: instance.launchTime.getTime(),
    shutdownBehavior: instance.shutdownBehavior,
  };
}

/** Starts an EC2 Query-API emulator on 127.0.0.1 whose instances are real sshd processes on 127.X.Y.N. */
export async function startCloud(options: CloudOptions = {}): Promise<Cloud> {
  const ownStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(`${tmpdir()}/scons-remote-cloud-`);
  const region = options.region ?? 'us-east-1';
  const sshPort = options.sshPort ?? 22;
  const keyPairs = new Map<string, string>();
  const addKeyPair = (name: string): KeyPair => {
    const { keyPair, publicKey } = generateKeyPair(stateDir, name);
    keyPairs.set(name, publicKey);
    return keyPair;
  };
  const keyPair = addKeyPair('emulator-key');
  const instances = new Map<string, EmulatedInstance>();
  const lifecycle = new InstanceLifecycle(instances, {
    bootDelayMs: options.bootDelayMs ?? 300,
    stopDelayMs: options.stopDelayMs ?? 200,
    terminatedVisibleMs: options.terminatedVisibleMs ?? 60_000,
    sshPort,
    stateDir,
    addresses: new AddressPool(),
  });
  const ec2 = new EmulatedEc2(instances, lifecycle, {
    stateDir,
    keyPairs,
    imageId: IMAGE_ID,
    ownerId: OWNER_ID,
    availabilityZone: `${region}a`,
    loginUser: ensureLoginUser(),
  });
  const api: QueryApi = {
    accessKeyId: ACCESS_KEY_ID,
    calls: [],
    faults: new Map(),
    actions: {
      RunInstances: (p) => ec2.RunInstances(p),
      DescribeInstances: (p) => ec2.DescribeInstances(p),
      DescribeInstanceStatus: (p) => ec2.DescribeInstanceStatus(p),
      CreateTags: (p) => ec2.CreateTags(p),
      TerminateInstances: (p) => ec2.TerminateInstances(p),
      StopInstances: (p) => ec2.StopInstances(p),
      StartInstances: (p) => ec2.StartInstances(p),
      GetConsoleOutput: (p) => ec2.GetConsoleOutput(p),
    },
  };
  const server = await startQueryServer(api, options.apiPort ?? 0);
  const address = server.address();
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const instanceNamed = (id: string) => {
    const instance = instances.get(id);
    if (!instance) throw new Error(`no emulated instance ${id}`);
    return instance;
  };
  return {
    endpoint,
    region,
    stateDir,
    keyPair,
    sshPort,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
    imageId: IMAGE_ID,
    sshUser: LOGIN_USER,
    env: () => ({
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      AWS_REGION: region,
      AWS_ENDPOINT_URL_EC2: endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
    }),
    addKeyPair,
    injectFault: (action, code, count = 1) =>
      api.faults.set(action, [...(api.faults.get(action) ?? []), { code, remaining: count }]),
    calls: () => api.calls.map((call) => ({ ...call })),
    instances: () => [...instances.values()].map(summary),
    killSshd: async (id) => lifecycle.killSshd(instanceNamed(id)),
    terminateBehindBack: async (id) => {
      const instance = instanceNamed(id);
      lifecycle.terminate(instance, 'user');
      while (instance.state !== 'terminated' && instances.has(id) && !lifecycle.closed)
        await sleep(20);
    },
    stop: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
      await lifecycle.close();
      if (ownStateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
