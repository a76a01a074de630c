import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ProfileSelector } from '../api/job-request.js';
import { profileId, readProfile, type Profile, type ProfileUse } from '../api/profile.js';
import { defaultStateDir, profilePath, STATE_DIR } from '../layout/local-state.js';
import { UserError } from '../util/user-error.js';

/** Which connection a job uses, where its state lives, and what its relative key path is relative to. */
export interface JobProfile {
  id: string;
  profile: Profile;
  stateDir: string;
  baseDir: string;
}

/** A hand-written remote.json, as used from Makefiles; its state folder is beside it. */
function profileFromConfig(
  configPath: string,
  stateDir: string | undefined,
  use: ProfileUse,
): JobProfile {
  if (!existsSync(configPath)) throw new UserError(`${configPath}: no such remote-exec config`);
  const baseDir = dirname(resolve(configPath));
  const profile = readProfile(configPath, baseDir, use);
  return {
    id: profileId(profile),
    profile,
    stateDir: resolve(stateDir ?? join(baseDir, STATE_DIR)),
    baseDir,
  };
}

function profileFromState(id: string, stateDir: string | undefined, use: ProfileUse): JobProfile {
  const dir = stateDir ? resolve(stateDir) : defaultStateDir();
  const path = profilePath(dir, id);
  const baseDir = dirname(dir);
  if (!/^[\w-]+$/.test(id))
    throw new UserError(`--profile '${id}': not a profile id as written by remote-gen`);
  if (!existsSync(path))
    throw new UserError(`${path}: no such connection profile; run remote-gen again`);
  return { id, profile: readProfile(path, baseDir, use), stateDir: dir, baseDir };
}

export function selectProfile(selector: ProfileSelector, use: ProfileUse = 'ssh'): JobProfile {
  if (selector.profile && selector.config)
    throw new UserError('give either --profile or --config, not both');
  if (selector.config) return profileFromConfig(selector.config, selector.stateDir, use);
  if (selector.profile) return profileFromState(selector.profile, selector.stateDir, use);
  throw new UserError(
    'which connection? give --config remote.json (or --profile ID, as written by remote-gen)',
  );
}
