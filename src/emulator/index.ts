import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { AddressPool } from './address-pool.js';
import { EmulatedEc2 } from './emulated-ec2.js';
import { generateKeyPair, type KeyPair } from './key-pairs.js';
import { ensureLoginUser, LOGIN_USER } from './login-user.js';
import { type CallRecord, type QueryApi, startQueryServer } from './query-server.js';

export type { CallRecord } from './query-server.js';
export type { KeyPair } from './key-pairs.js';

export interface CloudOptions {
  bootDelayMs?: number;
  stopDelayMs?: number;
  terminatedVisibleMs?: number;
  sshPort?: number;
  stateDir?: string;
  region?: string;
}

export interface InstanceSummary {
  instanceId: string;
  state: string;
  address?: string;
  tags: Record<string, string>;
  launchedAt: number;
  shutdownBehavior: string;
}

export interface Cloud {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  imageId: string;
  keyPair: KeyPair;
  sshUser: string;
  sshPort: number;
  stateDir: string;
  /** Variables that point the AWS SDK's default chain (and so remote-exec) at this cloud. */
  env(): Record<string, string>;
  addKeyPair(name: string): KeyPair;
  injectFault(action: string, code: string, count?: number): void;
  calls(): CallRecord[];
  instances(): InstanceSummary[];
  killSshd(instanceId: string): Promise<void>;
  terminateBehindBack(instanceId: string): void;
  stop(): Promise<void>;
}

const ACCESS_KEY_ID = 'AKIAEMULATEDCLOUD000';
const SECRET_ACCESS_KEY = 'emulated-cloud-secret-not-a-real-key';
const IMAGE_ID = 'ami-0e0e0e0e0e0e0e0e0';

const running = new Set<EmulatedEc2>();
// A crashed test must not leave sshd processes behind.
process.once('exit', () => {
  for (const ec2 of running) for (const instance of ec2.instances.values()) instance.sshd?.kill('SIGKILL');
});

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
  const ec2 = new EmulatedEc2({
    bootDelayMs: options.bootDelayMs ?? 300,
    stopDelayMs: options.stopDelayMs ?? 200,
    terminatedVisibleMs: options.terminatedVisibleMs ?? 60_000,
    sshPort, stateDir, keyPairs,
    imageId: IMAGE_ID,
    ownerId: '123456789012',
    loginUser: ensureLoginUser(),
    addresses: new AddressPool(),
  });
  running.add(ec2);
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
  const server = await startQueryServer(api);
  const address = server.address();
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const instanceNamed = (id: string) => {
    const instance = ec2.instances.get(id);
    if (!instance) throw new Error(`no emulated instance ${id}`);
    return instance;
  };
  return {
    endpoint, region, stateDir, keyPair, sshPort,
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
    injectFault: (action, code, count = 1) => api.faults.set(action, [...(api.faults.get(action) ?? []), { code, remaining: count }]),
    calls: () => [...api.calls],
    instances: () =>
      [...ec2.instances.values()].map((instance) => ({
        instanceId: instance.instanceId,
        state: instance.state,
        address: instance.address,
        tags: Object.fromEntries(instance.tags),
        launchedAt: instance.launchTime.getTime(),
        shutdownBehavior: instance.shutdownBehavior,
      })),
    killSshd: (id) => ec2.killSshd(instanceNamed(id)),
    terminateBehindBack: (id) => ec2.terminate(instanceNamed(id)),
    stop: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
      await ec2.stopAll();
      running.delete(ec2);
      if (ownStateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
