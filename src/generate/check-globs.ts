import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { GlobExpander, type GlobState } from './globs.js';

function unchanged(state: GlobState): boolean {
  const expander = new GlobExpander(state.targets);
  return state.globs.every(
    ({ pattern, matches }) => expander.expand(pattern).join('\0') === matches.join('\0'),
  );
}

/**
 * `remote-gen --check-globs STATE`, run by build.ninja when a folder a source glob read has changed:
 * touches STATE, an input of build.ninja, only if some glob now matches other files, so that adding or
 * removing a matching file regenerates build.ninja and anything else in those folders does not.
 */
export function checkGlobs(statePath: string): number {
  let state: GlobState | undefined;
  try {
    state = JSON.parse(readFileSync(statePath, 'utf8')) as GlobState;
  } catch {
    state = undefined; // unreadable: regenerate, which writes it again
  }
  if (!Array.isArray(state?.globs) || !unchanged(state)) {
    writeFileSync(statePath, '', { flag: 'a' });
    const now = new Date();
    utimesSync(statePath, now, now);
  }
  return 0;
}
