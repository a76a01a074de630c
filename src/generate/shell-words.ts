// Characters that, outside quotes, make the shell do more than split words: pipes, lists, redirections,
// expansions, globs, subshells. A command holding one is not a plain argument list. `~` counts
// anywhere: bash expands it after `=` and `:` too (`--prefix=~/x`), where sh does not.
const UNQUOTED_SPECIAL = new Set([...'|&;<>()$`*?[]{}~\n']);
// A comment starts only where a word does (`a#b` is one word).
const SPECIAL_AT_WORD_START = new Set(['#']);
// Inside double quotes the shell still expands `$…` and `` `…` ``.
const DOUBLE_QUOTED_SPECIAL = new Set(['$', '`']);
// A backslash inside double quotes escapes only these; before any other character it stays.
const DOUBLE_QUOTED_ESCAPABLE = new Set(['"', '\\', '$', '`', '\n']);

/**
 * Splits POSIX shell text into the words a simple command receives (quotes and backslashes removed).
 * Strict: returns undefined for text that uses anything else of the shell's syntax, since
 * splitting it would be a guess at what the shell makes of it. With `limit`, only the first words.
 */
export function splitShellWords(text: string, limit = Infinity): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let at = 0;
  const finish = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  while (at < text.length && words.length < limit) {
    const char = text[at]!;
    if (char === ' ' || char === '\t') {
      finish();
      at += 1;
    } else if (char === "'") {
      const end = text.indexOf("'", at + 1);
      if (end < 0) return undefined;
      word += text.slice(at + 1, end);
      inWord = true;
      at = end + 1;
    } else if (char === '"') {
      const end = readDoubleQuoted(text, at + 1);
      if (end === undefined) return undefined;
      word += end.value;
      inWord = true;
      at = end.next;
    } else if (char === '\\') {
      if (at + 1 >= text.length) return undefined;
      // Backslash-newline joins lines; any other escaped character is itself.
      if (text[at + 1] !== '\n') {
        word += text[at + 1];
        inWord = true;
      }
      at += 2;
    } else {
      if (UNQUOTED_SPECIAL.has(char) || (!inWord && SPECIAL_AT_WORD_START.has(char)))
        return undefined;
      word += char;
      inWord = true;
      at += 1;
    }
  }
  finish();
  return words;
}

function readDoubleQuoted(
  text: string,
  start: number,
): { value: string; next: number } | undefined {
  let value = '';
  for (let at = start; at < text.length; at += 1) {
    const char = text[at]!;
    if (char === '"') return { value, next: at + 1 };
    if (DOUBLE_QUOTED_SPECIAL.has(char)) return undefined;
    if (char === '\\' && at + 1 < text.length && DOUBLE_QUOTED_ESCAPABLE.has(text[at + 1]!)) {
      at += 1;
      if (text[at] !== '\n') value += text[at];
      continue;
    }
    value += char;
  }
  return undefined;
}
