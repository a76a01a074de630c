// The Makefile syntax of depfiles (`out.o: src/a.c src/a.h \`), as gcc and clang write it and ninja
// reads it: `\ ` and `\#` escape a space and a hash, `$$` is a dollar, a backslash before a line
// break continues the line; other backslashes are plain characters.

export interface DepfileRule {
  targets: string[];
  deps: string[];
}

export class DepfileSyntaxError extends Error {}

interface Word {
  text: string;
  /** Whether an unescaped `:` ended the word: the words before it were targets. */
  endsTargets: boolean;
}

/** The words of one logical line (continuations already joined). */
function words(line: string, lineNumber: number): Word[] {
  const found: Word[] = [];
  let text = '';
  const end = (endsTargets: boolean) => {
    if (text !== '' || endsTargets) found.push({ text, endsTargets });
    text = '';
  };
  for (let at = 0; at < line.length; at += 1) {
    const char = line[at]!;
    if (char === '\\') {
      let run = 1;
      while (line[at + run] === '\\') run += 1;
      const next = line[at + run];
      // As ninja reads them: 2N+1 backslashes and a space are N and a space, 2N end the word.
      if (next === ' ' && run % 2 === 1) text += `${'\\'.repeat((run - 1) / 2)} `;
      else if (next === ' ') {
        text += '\\'.repeat(run);
        end(false);
      } else if (next === '#') text += `${'\\'.repeat(run - 1)}#`;
      else text += '\\'.repeat(run) + (next ?? '');
      at += run;
    } else if (char === '$' && line[at + 1] === '$') {
      text += '$';
      at += 1;
    } else if (char === ' ' || char === '\t') end(false);
    else if (char === ':' && /^[\s]?$/.test(line[at + 1] ?? '')) end(true);
    else if (char === '\0') throw new DepfileSyntaxError(`line ${lineNumber} holds a NUL byte`);
    else text += char;
  }
  end(false);
  return found;
}

/** The rules of a depfile; text that is not in this syntax is an error naming the line. */
export function parseDepfile(text: string): DepfileRule[] {
  const rules: DepfileRule[] = [];
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  lines.forEach((line, index) => {
    const lineWords = words(line, index + 1);
    if (lineWords.length === 0) return;
    const colon = lineWords.findIndex((word) => word.endsTargets);
    if (colon === -1) throw new DepfileSyntaxError(`line ${index + 1} has no 'target:'`);
    const targets = lineWords.slice(0, colon + 1).map((word) => word.text);
    if (targets.at(-1) === '') targets.pop();
    if (targets.length === 0) throw new DepfileSyntaxError(`line ${index + 1} has no target`);
    const deps = lineWords.slice(colon + 1);
    if (deps.some((word) => word.endsTargets))
      throw new DepfileSyntaxError(`line ${index + 1} has more than one ':'`);
    rules.push({ targets, deps: deps.map((word) => word.text) });
  });
  if (rules.length === 0) throw new DepfileSyntaxError('it lists no target');
  return rules;
}

function escape(path: string): string {
  return path
    .replace(/\$/g, '$$$$')
    .replace(/#/g, '\\#')
    .replace(/(\\*) /g, (_match, backslashes: string) => `${backslashes}${backslashes}\\ `);
}

export function renderDepfile(rules: readonly DepfileRule[]): string {
  return rules
    .map(({ targets, deps }) =>
      [`${targets.map(escape).join(' ')}:`, ...deps.map(escape)].join(' \\\n  '),
    )
    .join('\n')
    .concat('\n');
}
