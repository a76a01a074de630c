import { isValueSource } from '../describe/project-paths.js';
import type { RemoteAction, ValueSource } from '../describe/types.js';
import { shellJoin, shellQuote } from '../util/shell-quote.js';

const SUBSTITUTION = /\$\$|\$\{(SOURCES?|TARGETS?)\}|\$(SOURCES?|TARGETS?)(?![A-Za-z0-9_])/g;

/** A path as a command word: one starting with `-` becomes `./-name`, so no command takes it for options. */
function pathWord(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}

function word(source: string | ValueSource): string {
  return isValueSource(source) ? source.value : pathWord(source);
}

/**
 * Expands SCons' `$SOURCES`, `$SOURCE`, `$TARGETS`, `$TARGET` (also in `${…}` form) to quoted words;
 * `$$` stands for a literal `$`; other `$NAME`s are left to the shell.
 */
export function expandAction(
  action: string,
  sources: readonly (string | ValueSource)[],
  targets: readonly string[],
): string {
  return action.replace(
    SUBSTITUTION,
    (match, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare;
      if (!name) return match === '$$' ? '$' : match;
      const words = name.startsWith('SOURCE') ? sources.map(word) : targets.map(pathWord);
      return shellJoin(name.endsWith('S') ? words : words.slice(0, 1));
    },
  );
}

/**
 * The seed's remote command line, as text for the remote shell: `cmd cmdArgs… sources… targets…`.
 * cmd and cmdArgs are shell text as written; paths and values are quoted so each stays one word.
 */
export function remoteCommandLine(
  action: RemoteAction,
  sources: readonly (string | ValueSource)[],
  targets: readonly string[],
): string {
  // Built as one string: this runs for every remote step, twice with a compile database.
  let line = action.cmd;
  for (const arg of action.cmdArgs) line += ` ${arg}`;
  for (const source of sources) line += ` ${shellQuote(word(source))}`;
  for (const target of targets) line += ` ${shellQuote(pathWord(target))}`;
  return line;
}
