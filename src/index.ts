export { EnvironmentRemote } from './describe/environment.js';
export type { EnvironmentOptions } from './describe/environment.js';
export type {
  ActionRemoteSpec,
  ClientArgs,
  CommandRemoteSpec,
  CommandSpec,
  ConnectionOptions,
  InstanceArgs,
  RemoteAction,
  Sources,
  SshArgs,
  Targets,
  ValueSource,
} from './describe/types.js';
