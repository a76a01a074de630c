import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { makeProject, type Run } from './cli.js';
import { cloudEnv, liveInstances, remoteExecAsync, testCloud } from './cloud.js';

export interface RemoteConfigOptions {
  idleMinutes?: number;
  sshRetries?: number;
  keepOnFailure?: boolean;
  storeMegabytes?: number;
  setup?: string;
  instanceArgs?: Record<string, unknown>;
  sshArgs?: Record<string, unknown>;
  clientArgs?: Record<string, unknown>;
}

/** A remote.json for the emulated cloud, as a Makefile user writes it. */
export function remoteConfig(cloud: Cloud, options: RemoteConfigOptions = {}): string {
  return JSON.stringify({
    clientArgs: { region: cloud.region, ...options.clientArgs },
    instanceArgs: {
      ImageId: cloud.imageId,
      InstanceType: 't2.micro',
      KeyName: cloud.keyPair.name,
      MinCount: 1,
      MaxCount: 1,
      InstanceInitiatedShutdownBehavior: 'terminate',
      ...options.instanceArgs,
    },
    sshArgs: {
      username: cloud.sshUser,
      privateKeyPath: cloud.keyPair.privateKeyPath,
      ...options.sshArgs,
    },
    options: {
      idleMinutes: options.idleMinutes ?? 15,
      sshRetries: options.sshRetries ?? 6,
      ...(options.keepOnFailure === undefined ? {} : { keepOnFailure: options.keepOnFailure }),
      ...(options.storeMegabytes === undefined ? {} : { storeMegabytes: options.storeMegabytes }),
      ...(options.setup === undefined ? {} : { setup: options.setup }),
    },
  });
}

export function configProject(
  cloud: Cloud,
  files: Record<string, string> = {},
  options: RemoteConfigOptions = {},
): string {
  return makeProject({ 'remote.json': remoteConfig(cloud, options), ...files });
}

/**
 * A test file's emulated cloud for remote.json projects and their `--verbose` steps: started before
 * its tests; after them each project is taken down, and no instance may be left running.
 */
export function configProjectsOnCloud() {
  let cloud: Cloud;
  let env: NodeJS.ProcessEnv;
  const dirs: string[] = [];
  before(async () => {
    cloud = await testCloud();
    env = cloudEnv(cloud);
  });
  after(async () => {
    for (const dir of dirs) await remoteExecAsync(dir, env, ['--config', 'remote.json', 'down']);
    assert.deepEqual(
      liveInstances(cloud).filter((i) => i.state === 'running'),
      [],
    );
    await cloud.stop();
  });
  return {
    cloud: () => cloud,
    env: () => env,
    project(files: Record<string, string> = {}, options: RemoteConfigOptions = {}): string {
      const dir = configProject(cloud, files, options);
      dirs.push(dir);
      return dir;
    },
    step: (dir: string, args: string[]): Promise<Run> =>
      remoteExecAsync(dir, env, ['--config', 'remote.json', '--verbose', ...args]),
  };
}
