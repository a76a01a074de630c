import { setTimeout as sleep } from 'node:timers/promises';
import type { Cloud } from '../src/emulator/index.js';
import { shellJoin } from '../src/util/shell-quote.js';
import { STEP_CLIENT, withEnv } from '../test/helpers/cli.js';
import { liveInstances } from '../test/helpers/cloud.js';
import { configProject, type RemoteConfigOptions } from '../test/helpers/remote-project.js';
import { ByteRelay } from './byte-relay.js';
import { OpenSsh } from './openssh.js';
import { run, runShell } from './run.js';

// A Makefile user's project (remote.json) on the emulated cloud, its instance launched through the CLI.

export interface BenchProject {
  dir: string;
  /** The user's shell: the cloud's credentials and endpoint. */
  env: NodeJS.ProcessEnv;
  /** `remote-exec --config remote.json`, as shell text. */
  remoteExec: string;
  host: string;
  openssh: OpenSsh;
}

/** The port the byte-counting profile's steps connect to, relayed to the instance's sshd. */
const RELAY_PORT = 2222;

function instanceAddress(cloud: Cloud, dir: string): string | undefined {
  const mine = liveInstances(cloud).filter((i) => i.tags['scons-remote:project'] === dir);
  return mine.find((instance) => instance.address)?.address;
}

function up(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  return run([STEP_CLIENT, '--config', 'remote.json', 'up'], { cwd: dir, env });
}

interface Started {
  dir: string;
  env: NodeJS.ProcessEnv;
  remoteExec: string;
  launched: Promise<void>;
}

function start(cloud: Cloud, options: RemoteConfigOptions): Started {
  const dir = configProject(cloud, {}, options);
  const env = withEnv({ ...cloud.env(), SCONS_REMOTE_MODE: undefined });
  const remoteExec = shellJoin([STEP_CLIENT, '--config', 'remote.json']);
  return { dir, env, remoteExec, launched: up(dir, env) };
}

function withHost(cloud: Cloud, { dir, env, remoteExec }: Started, host: string): BenchProject {
  const openssh = new OpenSsh(host, cloud.sshUser, cloud.keyPair.privateKeyPath);
  return { dir, env, remoteExec, host, openssh };
}

/** A project whose instance is up (launched by `remote-exec up`). */
export async function benchProject(cloud: Cloud): Promise<BenchProject> {
  const started = start(cloud, {});
  await started.launched;
  return withHost(cloud, started, instanceAddress(cloud, started.dir)!);
}

/**
 * A project whose steps reach their instance through a ByteRelay. The relay can only listen once the
 * instance has its address: `up` waits for SSH meanwhile (its retries cover the moment between).
 */
export async function relayedProject(cloud: Cloud): Promise<BenchProject & { relay: ByteRelay }> {
  const started = start(cloud, { sshArgs: { port: RELAY_PORT }, sshRetries: 8 });
  let failed = false;
  started.launched.catch(() => (failed = true));
  let host: string | undefined;
  while (!(host = instanceAddress(cloud, started.dir))) {
    if (failed) await started.launched;
    await sleep(20);
  }
  const relay = await ByteRelay.start(host, RELAY_PORT, cloud.sshPort);
  await started.launched;
  return { ...withHost(cloud, started, host), relay };
}

/** Runs shell text in the project as its user would, e.g. one step. */
export function inProject(project: BenchProject, command: string): Promise<void> {
  return runShell(command, { cwd: project.dir, env: project.env });
}
