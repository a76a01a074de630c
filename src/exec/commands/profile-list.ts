import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ProfileSelector } from '../../api/job-request.js';
import { readEngineProfile, type ProfileUse } from '../../api/profile.js';
import { defaultStateDir, profilePath, profilesDir } from '../../layout/local-state.js';
import { UserError } from '../../util/user-error.js';
import { selectProfile, type JobProfile } from '../select-profile.js';

/** The state folder a selector without --profile or --config means. */
export function selectedStateDir(selector: ProfileSelector): string {
  return selector.stateDir ? resolve(selector.stateDir) : defaultStateDir();
}

/** Ids of the profiles remote-gen wrote into a state folder, with or without engine profiles. */
export function allProfileIds(stateDir: string): string[] {
  const dir = profilesDir(stateDir);
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .map((name) => name.slice(0, -5))
        .sort()
    : [];
}

/** Ids of the profiles of instances: an engine's profile has no instance to start, stop or list. */
export function profileIds(stateDir: string): string[] {
  return allProfileIds(stateDir).filter(
    (id) => readEngineProfile(profilePath(stateDir, id)) === undefined,
  );
}

/** The selected profile, or with no selector every profile remote-gen wrote into the state folder. */
export function selectProfiles(selector: ProfileSelector, use: ProfileUse = 'ssh'): JobProfile[] {
  if (selector.profile || selector.config) return [selectProfile(selector, use)];
  const stateDir = selectedStateDir(selector);
  const ids = profileIds(stateDir);
  if (ids.length === 0 && allProfileIds(stateDir).length > 0)
    throw new UserError(
      `the profiles in ${profilesDir(stateDir)} name remote execution engines, which have no instances`,
    );
  if (ids.length === 0)
    throw new UserError(
      `no connection profiles in ${profilesDir(stateDir)}: run remote-gen first, or give --config remote.json`,
    );
  return ids.map((profile) => selectProfile({ profile, stateDir }, use));
}

/** One line per profile, to choose from: its id and what its instance is. */
export function describeProfiles(jobs: readonly JobProfile[]): string {
  return jobs
    .map(({ id, profile: { instanceArgs, clientArgs } }) => {
      const region = clientArgs.region ?? 'the default region';
      return `${id} (${instanceArgs.InstanceType ?? 'default type'} from ${instanceArgs.ImageId ?? 'default image'} in ${region})`;
    })
    .join(', ');
}

/** The profiles the build.ninja beside a state folder uses, or undefined when there is none. */
export function profilesInManifest(stateDir: string): Set<string> | undefined {
  const manifest = join(dirname(stateDir), 'build.ninja');
  if (!existsSync(manifest)) return undefined;
  const text = readFileSync(manifest, 'utf8');
  return new Set(
    [...text.matchAll(/(?:--profile |\bprofile = )([0-9a-f]{12})\b/g)].map((match) => match[1]!),
  );
}
