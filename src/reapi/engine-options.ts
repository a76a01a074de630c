import { UserError } from '../util/user-error.js';

// The connection to a Remote Execution API engine, as a description's
// remoteExecutionInitialize or remote.json's "remoteExecution" gives it. It holds no secret:
// credentials are named here and read when connecting (header values from environment
// variables, TLS material from files), so build.ninja and profiles never contain them.
//
// API: EngineOptions, readEngineOptions(value, where), credentialVariables(options, env).

export interface EngineOptions {
  /** `grpc://host:port` (plain) or `grpcs://host:port` (TLS). */
  readonly endpoint: string;
  readonly instanceName?: string;
  /** Platform properties the engine selects workers by, e.g. { OSFamily: 'linux' }. */
  readonly platform?: Readonly<Record<string, string>>;
  /** The action's timeout; the engine kills it after this long. */
  readonly timeoutSeconds?: number;
  /** Request headers whose values come from environment variables: header → variable. */
  readonly headersFromEnv?: Readonly<Record<string, string>>;
  /** PEM files for TLS: the engine's CA, and a client certificate and key for mutual TLS. */
  readonly tls?: {
    readonly caFile?: string;
    readonly certFile?: string;
    readonly keyFile?: string;
  };
}

const ENDPOINT = /^grpcs?:\/\/[^/\s]+:\d+$/;
const KEYS = ['endpoint', 'instanceName', 'platform', 'timeoutSeconds', 'headersFromEnv', 'tls'];

function stringMap(value: unknown, what: string, fail: (m: string) => never): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`${what} must be an object of strings`);
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') fail(`${what}.${key} must be a string`);
  }
}

/** `value` checked field by field; the first fault is one line naming `where` and the field. */
export function readEngineOptions(value: unknown, where: string): EngineOptions {
  const fail = (message: string): never => {
    throw new UserError(`${where}: remoteExecution ${message}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('must be an object');
  }
  const options = value as Record<string, unknown>;
  const unknown = Object.keys(options).find((key) => !KEYS.includes(key));
  if (unknown !== undefined) fail(`has no option '${unknown}' (options: ${KEYS.join(', ')})`);
  if (typeof options['endpoint'] !== 'string' || !ENDPOINT.test(options['endpoint'])) {
    fail(`endpoint must look like grpc://host:port or grpcs://host:port`);
  }
  if (options['instanceName'] !== undefined && typeof options['instanceName'] !== 'string') {
    fail('instanceName must be a string');
  }
  const timeout = options['timeoutSeconds'];
  if (timeout !== undefined && !(Number.isInteger(timeout) && (timeout as number) > 0)) {
    fail('timeoutSeconds must be a whole number of seconds above 0');
  }
  stringMap(options['platform'], 'platform', fail);
  stringMap(options['headersFromEnv'], 'headersFromEnv', fail);
  stringMap(options['tls'], 'tls', fail);
  const tlsKeys = Object.keys((options['tls'] as object | undefined) ?? {});
  const badTls = tlsKeys.find((key) => !['caFile', 'certFile', 'keyFile'].includes(key));
  if (badTls !== undefined) fail(`tls has no option '${badTls}' (caFile, certFile, keyFile)`);
  return options as unknown as EngineOptions;
}

/**
 * The variables of `env` that the connection's headersFromEnv names: what a step hands its agent,
 * whose own environment is that of whichever step started it.
 */
export function credentialVariables(
  options: EngineOptions,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const variable of Object.values(options.headersFromEnv ?? {})) {
    const value = env[variable];
    if (value !== undefined) variables[variable] = value;
  }
  return variables;
}
