import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type {
  ConnectConfig,
  EC2ClientConfig,
  RunInstancesCommandInput,
} from './connection-types.js';
import { UserError } from '../util/user-error.js';
import type { EngineOptions } from '../reapi/engine-options.js';
import type { RequirementSpec } from './requirements.js';

// The connection a description declares and remote-exec uses: the part of the contract between the
// two binaries that users write themselves (in build.remote.ts or a remote.json).

/** Passed verbatim to `new EC2Client()`. Credentials come from the SDK's default chain, never from here. */
export type ClientArgs = EC2ClientConfig;
/** Passed verbatim to `RunInstances`. */
export type InstanceArgs = RunInstancesCommandInput;
/** Passed verbatim to ssh2's `connect()`, plus `privateKeyPath`: a key file relative to the description's folder, read only when connecting. */
export type SshArgs = ConnectConfig & { privateKeyPath?: string };

export interface ConnectionOptions {
  /** How many times to retry the SSH connection while an instance boots (with short backoff). */
  sshRetries?: number;
  /** How many remote steps of this connection ninja runs at once (the depth of its pool). */
  jobs?: number;
  /** The instance terminates itself after this many minutes without a job. */
  idleMinutes?: number;
  /** Keep an instance this tool launched but could not reach over SSH (to look into it); by default it is terminated. */
  keepOnFailure?: boolean;
  /** An upload or download with no progress for this many seconds fails, as does a peer silent to keepalives. */
  stallSeconds?: number;
  /** The instance keeps at most this many megabytes of inputs and outputs (default 4096) to send them only once. */
  storeMegabytes?: number;
  /**
   * Commands the instance must have, checked once per instance before any upload: a name (`'gcc'`) or
   * `{ cmd: 'python3', version: '>=3.10' }` (the first dotted number of `cmd --version`'s first line).
   */
  requires?: RequirementSpec[];
  /** A shell script run (`sh -e`) once per instance before its first step, and again whenever it changes. */
  setup?: string;
}

export interface Connection {
  clientArgs: ClientArgs;
  instanceArgs: InstanceArgs;
  sshArgs: SshArgs;
  options: ConnectionOptions;
}

/** A Remote Execution API engine, which remote steps run on as actions instead of an instance. */
export interface EngineConnection {
  remoteExecution: EngineOptions;
}

/** What a remote step is bound to: an EC2 instance's arguments, or an engine. */
export type StepConnection = Connection | EngineConnection;

export function isEngineConnection(connection: StepConnection): connection is EngineConnection {
  return 'remoteExecution' in connection;
}

const SECRET_SSH_FIELDS = ['privateKey', 'password', 'passphrase'] as const;

/**
 * Connection arguments are written to the state folder for the shim, so they must hold no secrets:
 * credentials come from the SDK's default chain, keys from a file path or an ssh-agent.
 */
export function checkConnectionArgs(
  clientArgs: ClientArgs | undefined,
  sshArgs: SshArgs | undefined,
  location: string,
  baseDir = '.',
): void {
  if (clientArgs && 'credentials' in clientArgs) {
    throw new UserError(
      `${location}: clientArgs.credentials would be written to disk; leave it out and let the AWS SDK find credentials (environment, AWS_PROFILE, SSO)`,
    );
  }
  for (const field of SECRET_SSH_FIELDS) {
    if (sshArgs && field in sshArgs) {
      throw new UserError(
        `${location}: sshArgs.${field} would be written to disk; use sshArgs.privateKeyPath or sshArgs.agent instead`,
      );
    }
  }
  const keyPath = sshArgs?.privateKeyPath;
  if (keyPath !== undefined && !existsSync(resolve(baseDir, keyPath))) {
    throw new UserError(`${location}: sshArgs.privateKeyPath '${keyPath}' does not exist`);
  }
}
