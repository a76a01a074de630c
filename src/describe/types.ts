import type {
  ConnectConfig,
  EC2ClientConfig,
  RunInstancesCommandInput,
} from './connection-types.js';

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
}

/** A source passed literally on the command line instead of as a file (SCons' Value). */
export interface ValueSource {
  readonly kind: 'value';
  readonly value: string;
}

export interface RemoteAction {
  readonly kind: 'remote-action';
  readonly cmd: string;
  readonly cmdArgs: readonly string[];
}

export type Targets = string | readonly string[];
export type Sources = string | ValueSource | readonly (string | ValueSource)[];

export interface ActionRemoteSpec {
  cmd: string;
  cmdArgs?: string | readonly string[];
}

export interface CommandSpec {
  target: Targets;
  source?: Sources;
  /** A shell command; `$SOURCES`, `$SOURCE`, `$TARGETS`, `$TARGET` expand to the quoted paths. Several commands run one after another. */
  action: string | readonly string[];
}

export interface CommandRemoteSpec {
  target: Targets;
  source?: Sources;
  action: RemoteAction;
  clientArgs?: ClientArgs;
  /** Shallow-merged over the connection's instanceArgs for this step only. */
  instanceArgs?: Partial<InstanceArgs>;
  sshArgs?: SshArgs;
}
