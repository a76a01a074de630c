import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCloud, type Cloud, type CloudOptions } from '../../src/emulator/index.js';
import { STEP_CLIENT, REMOTE_GEN, runAsync, tempDir, type Run } from './cli.js';

export const DECODE_EXAMPLE = fileURLToPath(new URL('../../../examples/decode', import.meta.url));

/** A folder of examples/, as the user copies it. */
export function example(name: string): string {
  return fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url));
}

export async function testCloud(options: CloudOptions = {}): Promise<Cloud> {
  return startCloud({ bootDelayMs: 150, stopDelayMs: 50, ...options });
}

/** What a user's shell holds to use the cloud: its credentials and endpoint, and the examples' settings. */
export function cloudEnv(cloud: Cloud, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...cloud.env(),
    SCONS_REMOTE_MODE: undefined,
    DECODE_REGION: cloud.region,
    DECODE_IMAGE_ID: cloud.imageId,
    DECODE_KEY_NAME: cloud.keyPair.name,
    DECODE_KEY_PATH: cloud.keyPair.privateKeyPath,
    // The other examples' names for the same settings.
    REMOTE_REGION: cloud.region,
    REMOTE_IMAGE_ID: cloud.imageId,
    REMOTE_KEY_NAME: cloud.keyPair.name,
    REMOTE_KEY_PATH: cloud.keyPair.privateKeyPath,
    REMOTE_USER: cloud.sshUser,
    ...extra,
  };
}

export function copyOf(dir: string): string {
  const copy = tempDir();
  cpSync(dir, copy, { recursive: true });
  return copy;
}

export function remoteGenAsync(
  cwd: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): Promise<Run> {
  return runAsync(process.execPath, [REMOTE_GEN, ...args], cwd, env);
}

export function remoteExecAsync(cwd: string, env: NodeJS.ProcessEnv, args: string[]): Promise<Run> {
  return runAsync(STEP_CLIENT, args, cwd, env);
}

export function ninjaAsync(cwd: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<Run> {
  return runAsync('ninja', args, cwd, env);
}

/** Instances of the cloud that are not terminated (or on their way there). */
export function liveInstances(cloud: Cloud) {
  return cloud
    .instances()
    .filter((instance) => instance.state !== 'terminated' && instance.state !== 'shutting-down');
}

export function runInstancesCalls(cloud: Cloud): number {
  return cloud.calls().filter((call) => call.action === 'RunInstances' && !call.error).length;
}

/** The project's instances that are not terminated (or on their way there). */
export function projectInstances(cloud: Cloud, dir: string) {
  return liveInstances(cloud).filter((instance) => instance.tags['scons-remote:project'] === dir);
}

/** Polls (without a time limit of its own: the test runner's applies) until `done` holds. */
export async function eventually(done: () => boolean, intervalMs = 100): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}

/** The one instance state file of a project with one connection profile. */
export function instanceStateFile(dir: string): string {
  const instances = join(dir, '.scons-remote', 'instances');
  return join(
    instances,
    readdirSync(instances).find((name) => /^[0-9a-f]{12}\.json$/.test(name))!,
  );
}

/** OpenSSH client options for an emulated instance: a fresh host key each launch, no prompts. */
export const OPENSSH_OPTIONS = [
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
  '-o',
  'BatchMode=yes',
];
