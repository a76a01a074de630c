import { UserError } from '../util/user-error.js';
import { CALLER, callSite } from './call-site.js';
import { checkOptionKeys } from './check-options.js';
import { checkConnectionArgs } from '../api/connection.js';
import { checkEnvironmentOptions } from '../api/requirements.js';
import { isEngineConnection, type Connection, type StepConnection } from '../api/connection.js';
import { readEngineOptions, type EngineOptions } from '../reapi/engine-options.js';
import { projectPath, sourceList, targetList } from './project-paths.js';
import { declarations } from './registry.js';
import { stepDependencies } from './step-dependencies.js';
import type {
  ActionRemoteSpec,
  ClientArgs,
  CommandRemoteSpec,
  CommandSpec,
  ConnectionOptions,
  InstanceArgs,
  RemoteAction,
  SshArgs,
  Targets,
  ValueSource,
} from './types.js';

const COMMAND_KEYS = ['target', 'source', 'action', 'depfile', 'deps'] as const;
const COMMAND_REMOTE_KEYS = [
  'target',
  'source',
  'action',
  'clientArgs',
  'instanceArgs',
  'sshArgs',
  'depfile',
  'deps',
] as const;
const ACTION_REMOTE_KEYS = ['cmd', 'cmdArgs'] as const;
const CONNECTION_OPTION_KEYS = [
  'sshRetries',
  'jobs',
  'idleMinutes',
  'keepOnFailure',
  'stallSeconds',
  'storeMegabytes',
  'requires',
  'setup',
] as const;
const ENVIRONMENT_KEYS = ['ENV'] as const;

export interface EnvironmentOptions {
  /** The environment of local commands. Only values that differ from the current process environment are kept. */
  ENV?: Record<string, string | undefined>;
}

/** Explicit overrides only: values merely inherited from process.env are neither stored nor written out. */
function explicitOverrides(
  env: Record<string, string | undefined> | undefined,
): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const [name, value] of Object.entries(env ?? {})) {
    if (value !== undefined && value !== process.env[name]) overrides[name] = value;
  }
  return overrides;
}

function isRemoteAction(action: unknown): action is RemoteAction {
  return (
    typeof action === 'object' &&
    action !== null &&
    (action as RemoteAction).kind === 'remote-action'
  );
}

function positiveInteger(value: unknown, name: string, location: string): void {
  if (value !== undefined && (!Number.isInteger(value) || (value as number) < 0)) {
    throw new UserError(
      `${location}: connectionInitialize: ${name} must be a whole number >= 0, got ${JSON.stringify(value)}`,
    );
  }
}

export class EnvironmentRemote {
  readonly #env: Record<string, string>;
  #connection: StepConnection | undefined;

  constructor(options: EnvironmentOptions = {}) {
    checkOptionKeys(options, ENVIRONMENT_KEYS, 'EnvironmentRemote', CALLER);
    this.#env = explicitOverrides(options.ENV);
  }

  /** Sets how remote steps reach AWS and the instance; each argument goes verbatim to the SDK, RunInstances and ssh2. */
  connectionInitialize(
    clientArgs: ClientArgs,
    instanceArgs: InstanceArgs,
    sshArgs: SshArgs,
    options: ConnectionOptions = {},
  ): void {
    const location = callSite();
    checkOptionKeys(options, CONNECTION_OPTION_KEYS, 'connectionInitialize options', location);
    positiveInteger(options.sshRetries, 'sshRetries', location);
    positiveInteger(options.jobs, 'jobs', location);
    positiveInteger(options.storeMegabytes, 'storeMegabytes', location);
    if (
      options.stallSeconds !== undefined &&
      !(Number.isInteger(options.stallSeconds) && options.stallSeconds > 0)
    ) {
      throw new UserError(
        `${location}: connectionInitialize: stallSeconds must be a whole number > 0`,
      );
    }
    if (options.idleMinutes !== undefined && !(options.idleMinutes > 0))
      throw new UserError(`${location}: connectionInitialize: idleMinutes must be a number > 0`);
    if (options.keepOnFailure !== undefined && typeof options.keepOnFailure !== 'boolean')
      throw new UserError(`${location}: connectionInitialize: keepOnFailure must be true or false`);
    if (options.jobs === 0)
      throw new UserError(`${location}: connectionInitialize: jobs must be at least 1`);
    checkEnvironmentOptions(options, `${location}: connectionInitialize: options.`);
    checkConnectionArgs(clientArgs, sshArgs, location);
    this.#connection = { clientArgs, instanceArgs, sshArgs, options };
  }

  /**
   * Sets a Remote Execution API engine for remote steps instead of an instance. Credentials are
   * named (headersFromEnv, tls files), never given, so build.ninja and profiles hold none.
   */
  remoteExecutionInitialize(options: EngineOptions): void {
    this.#connection = { remoteExecution: readEngineOptions(options, callSite()) };
  }

  /** A step run locally by ninja, as SCons' Command. */
  command(spec: CommandSpec): string[] {
    const location = callSite();
    checkOptionKeys(spec, COMMAND_KEYS, 'command', location);
    const targets = targetList(spec.target, location);
    if (spec.action === undefined)
      throw new UserError(`${location}: command for '${targets[0]}' is missing 'action'`);
    if (isRemoteAction(spec.action)) {
      throw new UserError(
        `${location}: command for '${targets[0]}' was given an actionRemote; use commandRemote for remote steps`,
      );
    }
    const commands = typeof spec.action === 'string' ? [spec.action] : [...spec.action];
    if (
      commands.length === 0 ||
      commands.some((command) => typeof command !== 'string' || command.trim() === '')
    ) {
      throw new UserError(
        `${location}: command for '${targets[0]}': action must be a non-empty command string or list of them`,
      );
    }
    declarations.steps.push({
      kind: 'local',
      targets,
      sources: sourceList(spec.source, location),
      commands,
      env: this.#env,
      ...stepDependencies(spec, targets, 'command', location),
      location,
    });
    return targets;
  }

  /** A step run on the EC2 instance: `cmd cmdArgs… sources… targets…`. */
  commandRemote(spec: CommandRemoteSpec): string[] {
    const location = callSite();
    checkOptionKeys(spec, COMMAND_REMOTE_KEYS, 'commandRemote', location);
    const targets = targetList(spec.target, location);
    if (spec.action === undefined)
      throw new UserError(`${location}: commandRemote for '${targets[0]}' is missing 'action'`);
    if (!isRemoteAction(spec.action)) {
      throw new UserError(
        `${location}: commandRemote for '${targets[0]}' needs env.actionRemote({ cmd, cmdArgs }), not a ${typeof spec.action}`,
      );
    }
    const connection = this.#connectionFor(spec, targets[0]!, location);
    declarations.steps.push({
      kind: 'remote',
      targets,
      sources: sourceList(spec.source, location),
      action: spec.action,
      connection,
      ...stepDependencies(spec, targets, 'commandRemote', location),
      location,
    });
    return targets;
  }

  actionRemote(spec: ActionRemoteSpec): RemoteAction {
    // Kept by no declaration: a loop of 10,000 steps calls this 10,000 times.
    const location = CALLER;
    checkOptionKeys(spec, ACTION_REMOTE_KEYS, 'actionRemote', location);
    if (typeof spec.cmd !== 'string' || spec.cmd.trim() === '')
      throw new UserError(`${location}: actionRemote needs a non-empty 'cmd'`);
    const cmdArgs =
      spec.cmdArgs === undefined
        ? []
        : typeof spec.cmdArgs === 'string'
          ? [spec.cmdArgs]
          : [...spec.cmdArgs];
    if (cmdArgs.some((arg) => typeof arg !== 'string'))
      throw new UserError(`${location}: actionRemote: cmdArgs must be strings`);
    return { kind: 'remote-action', cmd: spec.cmd, cmdArgs };
  }

  value(value: string | number | boolean): ValueSource {
    return { kind: 'value', value: String(value) };
  }

  default(...targets: Targets[]): void {
    const location = callSite();
    declarations.defaults.push({
      targets: targets.flatMap((target) => targetList(target, location)),
      location,
    });
  }

  alias(name: string, targets: Targets): string {
    const location = callSite();
    declarations.aliases.push({
      name: projectPath(name, 'alias', location),
      targets: targetList(targets, location),
      location,
    });
    return name;
  }

  #connectionFor(spec: CommandRemoteSpec, target: string, location: string): StepConnection {
    const overridden = spec.clientArgs || spec.instanceArgs || spec.sshArgs;
    if (this.#connection && isEngineConnection(this.#connection)) {
      if (!overridden) return this.#connection;
      throw new UserError(
        `${location}: commandRemote for '${target}' gives instance arguments, but env.remoteExecutionInitialize named an engine`,
      );
    }
    const base: Connection | undefined = this.#connection;
    if (!base && !(spec.clientArgs && spec.instanceArgs && spec.sshArgs)) {
      throw new UserError(
        `${location}: commandRemote for '${target}' before env.connectionInitialize(clientArgs, instanceArgs, sshArgs)`,
      );
    }
    if (!overridden) return base!;
    checkConnectionArgs(spec.clientArgs, spec.sshArgs, location);
    return {
      clientArgs: { ...base?.clientArgs, ...spec.clientArgs },
      instanceArgs: { ...base?.instanceArgs, ...spec.instanceArgs } as InstanceArgs,
      sshArgs: { ...base?.sshArgs, ...spec.sshArgs },
      options: base?.options ?? {},
    };
  }
}
