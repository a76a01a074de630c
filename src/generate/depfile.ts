import { relative } from 'node:path';

function makeEscape(path: string): string {
  return path.replace(/([ #\\])/g, '\\$1').replace(/\$/g, '$$$$');
}

/** A Makefile-syntax depfile: ninja regenerates `output` when any of `files` changes. */
export function depfileText(output: string, files: readonly string[], projectDir: string): string {
  const shown = files.map((file) => {
    const inside = relative(projectDir, file);
    return inside.startsWith('..') ? file : inside;
  });
  return `${makeEscape(output)}: ${shown.map(makeEscape).join(' \\\n  ')}\n`;
}
