import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROFILES_DIR } from '../generate/profiles.js';
import { STATE_DIR } from '../util/state-dir.js';
import { UserError } from '../util/user-error.js';
import { selectProfile, type JobProfile, type ProfileSelector } from './job-profile.js';

/** The selected profile, or with no selector every profile remote-gen wrote into the state folder. */
export function selectProfiles(selector: ProfileSelector): JobProfile[] {
  if (selector.profile || selector.config) return [selectProfile(selector)];
  const stateDir = resolve(selector.stateDir ?? STATE_DIR);
  const dir = join(stateDir, PROFILES_DIR);
  const ids = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -5)) : [];
  if (ids.length === 0) throw new UserError(`no connection profiles in ${dir}: run remote-gen first, or give --config remote.json`);
  return ids.sort().map((profile) => selectProfile({ profile, stateDir }));
}
