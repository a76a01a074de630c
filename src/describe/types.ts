import type { ClientArgs, InstanceArgs, SshArgs } from '../api/connection.js';

export type { ClientArgs, ConnectionOptions, InstanceArgs, SshArgs } from '../api/connection.js';

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

/** How ninja learns the headers a step read, as ninja's own `depfile` and `deps` bindings. */
export interface DependencyFile {
  /** The Makefile-syntax file the command writes listing what it read (e.g. gcc's `-MMD -MF`). */
  depfile?: string;
  /** `gcc`: ninja moves the depfile into its log and deletes it; `msvc`: read `/showIncludes` output. */
  deps?: 'gcc' | 'msvc';
}

export interface CommandSpec extends DependencyFile {
  target: Targets;
  source?: Sources;
  /** A shell command; `$SOURCES`, `$SOURCE`, `$TARGETS`, `$TARGET` expand to the quoted paths. Several commands run one after another. */
  action: string | readonly string[];
}

export interface CommandRemoteSpec extends DependencyFile {
  target: Targets;
  source?: Sources;
  action: RemoteAction;
  clientArgs?: ClientArgs;
  /** Shallow-merged over the connection's instanceArgs for this step only. */
  instanceArgs?: Partial<InstanceArgs>;
  sshArgs?: SshArgs;
}
