import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Connection } from '../describe/declarations.js';
import { checkConnectionArgs } from '../describe/connection-check.js';
import { PROFILES_DIR, profileId, profilePath, type Profile } from '../generate/profiles.js';
import { STATE_DIR } from '../util/state-dir.js';
import { UserError } from '../util/user-error.js';

/** Which connection a job uses, where its state lives, and what its relative key path is relative to. */
export interface JobProfile {
  id: string;
  profile: Profile;
  stateDir: string;
  baseDir: string;
}

export interface ProfileSelector {
  profile?: string;
  config?: string;
  stateDir?: string;
}

/** What the caller will do: reach the instance over SSH (the key must exist), or only talk to AWS (status, down). */
export type ProfileUse = 'ssh' | 'aws';

/** The `.scons-remote` of this folder or of the nearest parent that has profiles, as git finds `.git`. */
export function defaultStateDir(): string {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, STATE_DIR, PROFILES_DIR))) return join(dir, STATE_DIR);
    if (dirname(dir) === dir) return resolve(STATE_DIR);
  }
}

function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) throw new UserError(`${path}: no such ${what}`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A hand-written remote.json, as used from Makefiles: `{ clientArgs, instanceArgs, sshArgs, options? }`. */
function profileFromConfig(
  configPath: string,
  stateDir: string | undefined,
  use: ProfileUse,
): JobProfile {
  const config = readJson(configPath, 'remote-exec config');
  if (!isObject(config))
    throw new UserError(
      `${configPath}: expected a JSON object with clientArgs, instanceArgs and sshArgs`,
    );
  for (const key of Object.keys(config)) {
    if (!['clientArgs', 'instanceArgs', 'sshArgs', 'options'].includes(key))
      throw new UserError(`${configPath}: unknown key '${key}'`);
  }
  for (const key of ['clientArgs', 'instanceArgs', 'sshArgs']) {
    if (!isObject(config[key])) throw new UserError(`${configPath}: '${key}' must be an object`);
  }
  const baseDir = dirname(resolve(configPath));
  const connection = { options: {}, ...config } as unknown as Connection;
  const { privateKeyPath: _unchecked, ...withoutKey } = connection.sshArgs;
  checkConnectionArgs(
    connection.clientArgs,
    use === 'ssh' ? connection.sshArgs : withoutKey,
    configPath,
    baseDir,
  );
  return {
    id: profileId(connection),
    profile: connection,
    stateDir: resolve(stateDir ?? join(baseDir, STATE_DIR)),
    baseDir,
  };
}

function profileFromState(id: string, stateDir: string | undefined): JobProfile {
  const dir = stateDir ? resolve(stateDir) : defaultStateDir();
  const path = profilePath(dir, id);
  if (!existsSync(path))
    throw new UserError(`${path}: no such connection profile; run remote-gen again`);
  return {
    id,
    profile: readJson(path, 'connection profile') as Profile,
    stateDir: dir,
    baseDir: dirname(dir),
  };
}

export function selectProfile(selector: ProfileSelector, use: ProfileUse = 'ssh'): JobProfile {
  if (selector.profile && selector.config)
    throw new UserError('give either --profile or --config, not both');
  if (selector.config) return profileFromConfig(selector.config, selector.stateDir, use);
  if (selector.profile) return profileFromState(selector.profile, selector.stateDir);
  throw new UserError(
    'which connection? give --config remote.json (or --profile ID, as written by remote-gen)',
  );
}
