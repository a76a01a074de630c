import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitShellWords } from '../../src/generate/shell-words.js';

describe('splitShellWords: the words a POSIX shell passes to a simple command', () => {
  const split: [string, string[]][] = [
    ['gcc -O2 -c hello.c', ['gcc', '-O2', '-c', 'hello.c']],
    ["  gcc\t-c  'a b.c' ", ['gcc', '-c', 'a b.c']],
    [`gcc -DNAME='"x y"' -c a.c`, ['gcc', '-DNAME="x y"', '-c', 'a.c']],
    ['gcc "-DA=\\"q\\"" "\\x" -c a.c', ['gcc', '-DA="q"', '\\x', '-c', 'a.c']],
    ["gcc 'it'\\''s.c' x\\ y.c", ['gcc', "it's.c", 'x y.c']],
    ['gcc \'\' "" -c a.c', ['gcc', '', '', '-c', 'a.c']],
    ['gcc -c \\\n  a.c', ['gcc', '-c', 'a.c']],
    ['gcc a#b.c "-Dx=~"', ['gcc', 'a#b.c', '-Dx=~']],
    ["gcc '$HOME|*' \\$x", ['gcc', '$HOME|*', '$x']],
  ];
  for (const [text, words] of split) {
    it(`splits ${JSON.stringify(text)}`, () => assert.deepEqual(splitShellWords(text), words));
  }

  const refused = [
    'gcc -c a.c | tee log',
    'gcc -c a.c && true',
    'gcc -c a.c; true',
    'gcc -c a.c > log',
    'gcc -c a.c < x',
    'gcc -c $(echo a.c)',
    'gcc -c `echo a.c`',
    'gcc -c $SRC',
    'gcc -c "$SRC"',
    'gcc -c *.c',
    'gcc -c a?.c',
    'gcc -c {a,b}.c',
    'gcc -c ~/a.c',
    'gcc -I=~/inc -c a.c',
    'gcc -c a.c # note',
    'gcc -c a.c &',
    '(gcc -c a.c)',
    'gcc -c "a.c',
    "gcc -c 'a.c",
    'gcc -c a.c\\',
    'gcc -c a.c\ntrue',
  ];
  for (const text of refused) {
    it(`refuses ${JSON.stringify(text)}`, () => assert.equal(splitShellWords(text), undefined));
  }
});
