import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { sha256Hex } from '../util/sha256.js';
import { UserError } from '../util/user-error.js';
import {
  checkConnectionArgs,
  isEngineConnection,
  type Connection,
  type StepConnection,
} from './connection.js';
import { checkEnvironmentOptions } from './requirements.js';
import { readEngineOptions, type EngineOptions } from '../reapi/engine-options.js';

// A profile is one connection as remote-exec reads it: written by remote-gen under
// .scons-remote/profiles/<id>.json, or written by hand as a remote.json for Makefiles. Both are
// read here, and only here, into a checked Connection.

/** The user's arguments as given, never any credential or key. */
export type Profile = Connection;

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const shortHash = (value: unknown): string => sha256Hex(canonicalJson(value)).slice(0, 12);

/**
 * Equal connections share one id (and so one instance); the id is stable across regenerations. What the
 * instance requires and its setup script are left out: changing them prepares the same instance again.
 */
export function profileId(connection: StepConnection): string {
  if (isEngineConnection(connection)) return shortHash(connection);
  const { requires: _requires, setup: _setup, ...options } = connection.options;
  return shortHash({ ...connection, options });
}

/** Names what `requires` and `setup` ask of the instance; undefined when they ask nothing. */
export function environmentId(connection: StepConnection): string | undefined {
  if (isEngineConnection(connection)) return undefined;
  const { requires, setup } = connection.options;
  return requires === undefined && setup === undefined ? undefined : shortHash({ requires, setup });
}

/** Always rewritten: profiles are outputs of build.ninja's generator edge, as new as build.ninja. */
export function writeProfile(path: string, connection: StepConnection): void {
  const profile: StepConnection = { ...connection };
  writeFileAtomic(path, `${JSON.stringify(profile, null, 2)}\n`);
}

/** `path` as the user gave it (messages name it so), relative to `cwd`. */
function readJson(path: string, what: string, cwd: string): unknown {
  const file = resolve(cwd, path);
  if (!existsSync(file)) throw new UserError(`${path}: no such ${what}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const KEYS = ['clientArgs', 'instanceArgs', 'sshArgs', 'options'];
const ENGINE_KEY = 'remoteExecution';

/**
 * The engine a profile or remote.json names as `{ "remoteExecution": {…} }`, checked; undefined
 * when it holds EC2 arguments instead (readProfile reads and checks those).
 */
export function readEngineProfile(path: string, cwd = process.cwd()): EngineOptions | undefined {
  const value = readJson(path, 'connection profile', cwd);
  if (!isObject(value) || !(ENGINE_KEY in value)) return undefined;
  const other = Object.keys(value).find((key) => key !== ENGINE_KEY);
  if (other !== undefined) {
    throw new UserError(`${path}: '${other}' cannot be given beside '${ENGINE_KEY}'`);
  }
  return readEngineOptions(value[ENGINE_KEY], path);
}

/** What the reader will be used for: SSH to the instance (the key must exist), or AWS calls only. */
export type ProfileUse = 'ssh' | 'aws';

/**
 * Reads a profile or remote.json at `path`: `{ clientArgs, instanceArgs, sshArgs, options? }`,
 * with no secrets in it; a relative privateKeyPath is relative to `baseDir`.
 */
export function readProfile(
  path: string,
  baseDir: string,
  use: ProfileUse,
  cwd = process.cwd(),
): Profile {
  const value = readJson(path, 'connection profile', cwd);
  if (!isObject(value))
    throw new UserError(
      `${path}: expected a JSON object with clientArgs, instanceArgs and sshArgs`,
    );
  if (ENGINE_KEY in value) {
    throw new UserError(
      `${path}: names a remote execution engine, which has no instance to manage`,
    );
  }
  for (const key of Object.keys(value)) {
    if (!KEYS.includes(key)) throw new UserError(`${path}: unknown key '${key}'`);
  }
  for (const key of KEYS) {
    const optional = key === 'options' && value[key] === undefined;
    if (!optional && !isObject(value[key]))
      throw new UserError(`${path}: '${key}' must be an object`);
  }
  const connection = { options: {}, ...value } as Connection;
  checkEnvironmentOptions(connection.options, `${path}: options.`);
  const { privateKeyPath: _unchecked, ...withoutKey } = connection.sshArgs;
  const sshArgs = use === 'ssh' ? connection.sshArgs : withoutKey;
  checkConnectionArgs(connection.clientArgs, sshArgs, path, baseDir);
  return connection;
}
