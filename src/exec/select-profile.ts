import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ProfileSelector } from '../api/job-request.js';
import {
  profileId,
  readEngineProfile,
  readProfile,
  type Profile,
  type ProfileUse,
} from '../api/profile.js';
import { profilePath, stateDirOf } from '../layout/local-state.js';
import type { EngineOptions } from '../reapi/engine-options.js';
import { UserError } from '../util/user-error.js';

/** Which connection a job uses, where its state lives, and what its relative key path is relative to. */
export interface JobProfile {
  id: string;
  profile: Profile;
  stateDir: string;
  baseDir: string;
}

/** A step's Remote Execution API engine, as its profile or remote.json names it. */
export interface EngineProfile {
  options: EngineOptions;
  stateDir: string;
  baseDir: string;
}

interface ProfileFile {
  path: string;
  stateDir: string;
  baseDir: string;
  /** The id the file's connection is known by, when remote-gen named it. */
  id?: string;
}

/** A hand-written remote.json, as used from Makefiles; its state folder is beside it. */
function configFile(path: string, stateDir: string | undefined, cwd: string): ProfileFile {
  if (!existsSync(resolve(cwd, path))) throw new UserError(`${path}: no such remote-exec config`);
  const baseDir = dirname(resolve(cwd, path));
  return { path, stateDir: stateDirOf({ config: path, stateDir }, cwd), baseDir };
}

function stateFile(id: string, stateDir: string | undefined, cwd: string): ProfileFile {
  const dir = stateDirOf({ stateDir }, cwd);
  const path = profilePath(dir, id);
  if (!/^[\w-]+$/.test(id))
    throw new UserError(`--profile '${id}': not a profile id as written by remote-gen`);
  if (!existsSync(path))
    throw new UserError(`${path}: no such connection profile; run remote-gen again`);
  return { path, stateDir: dir, baseDir: dirname(dir), id };
}

/** `cwd`: the step's folder, which relative paths and the nearest state folder start from. */
function profileFile(selector: ProfileSelector, cwd: string): ProfileFile {
  if (selector.profile && selector.config)
    throw new UserError('give either --profile or --config, not both');
  if (selector.config) return configFile(selector.config, selector.stateDir, cwd);
  if (selector.profile) return stateFile(selector.profile, selector.stateDir, cwd);
  throw new UserError(
    'which connection? give --config remote.json (or --profile ID, as written by remote-gen)',
  );
}

export function selectProfile(
  selector: ProfileSelector,
  use: ProfileUse = 'ssh',
  cwd = process.cwd(),
): JobProfile {
  const { path, stateDir, baseDir, id } = profileFile(selector, cwd);
  const profile = readProfile(path, baseDir, use, cwd);
  return { id: id ?? profileId(profile), profile, stateDir, baseDir };
}

/** The engine the selected profile names; undefined when it names EC2 arguments instead. */
export function selectEngine(
  selector: ProfileSelector,
  cwd = process.cwd(),
): EngineProfile | undefined {
  const { path, stateDir, baseDir } = profileFile(selector, cwd);
  const options = readEngineProfile(path, cwd);
  return options && { options, stateDir, baseDir };
}
