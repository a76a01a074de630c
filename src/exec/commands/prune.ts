import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ProfileSelector } from '../../api/job-request.js';
import { instanceLockPath, profilePath } from '../../layout/local-state.js';
import { UserError } from '../../util/user-error.js';
import { downProfile } from './down.js';
import { selectProfile } from '../select-profile.js';
import { readEngineProfile } from '../../api/profile.js';
import { allProfileIds, profilesInManifest, selectedStateDir } from './profile-list.js';
import { printProgress } from '../progress.js';

/**
 * `remote-exec prune`: forgets the profiles the current build.ninja no longer names, terminating the instance of
 * each first (a profile is never dropped while an instance it launched may still run unrecorded).
 * An engine's profile has no instance: it is only forgotten.
 */
export async function runPrune(selector: ProfileSelector): Promise<number> {
  const stateDir = selectedStateDir(selector);
  const named = profilesInManifest(stateDir);
  if (!named)
    throw new UserError(
      `${join(dirname(stateDir), 'build.ninja')} does not exist; prune keeps the profiles it names, so run remote-gen first`,
    );
  const stale = allProfileIds(stateDir).filter((id) => !named.has(id));
  for (const id of stale) {
    if (readEngineProfile(profilePath(stateDir, id)) === undefined)
      await downProfile(selectProfile({ profile: id, stateDir }, 'aws'));
    rmSync(profilePath(stateDir, id), { force: true });
    rmSync(instanceLockPath(stateDir, id), { force: true });
    printProgress(`${id}: no longer in build.ninja; pruned`);
  }
  if (stale.length === 0) printProgress('nothing to prune: build.ninja names every profile');
  return 0;
}
