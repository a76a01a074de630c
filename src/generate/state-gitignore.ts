import { writeFileAtomic } from '../util/atomic-write.js';
import { gitignorePath } from '../layout/local-state.js';

/** Keeps the state folder out of version control, from the first file remote-gen puts in it. */
export function writeStateGitignore(stateDir: string): void {
  writeFileAtomic(
    gitignorePath(stateDir),
    '# Written by remote-gen and remote-exec: profiles, locks, instance state.\n*\n',
  );
}
