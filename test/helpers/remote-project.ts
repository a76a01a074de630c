import type { Cloud } from '../../src/emulator/index.js';
import { makeProject } from './cli.js';

export interface RemoteConfigOptions {
  idleMinutes?: number;
  sshRetries?: number;
  keepOnFailure?: boolean;
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
