import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { STATE_DIR } from '../util/state-dir.js';

/** Keeps the state folder out of git, before remote-gen writes anything into it. */
export function ignoreStateDir(): void {
  writeFileAtomic(
    join(STATE_DIR, '.gitignore'),
    '# Written by remote-gen and remote-exec: profiles, locks, instance state.\n*\n',
  );
}
