import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import micromatch from 'micromatch';
import { GlobExpander } from '../../src/generate/globs.js';
import { makeProject } from '../helpers/cli.js';

const FILES = [
  'a.txt',
  '.hidden.txt',
  'data/f1.txt',
  'data/f10.txt',
  'data/f19.txt',
  'data/f2.txt',
  'data/g.md',
  'data/deep/f1.txt',
  'data/deep/er/x.c',
  'src/a.c',
  'src/b.h',
  'node_modules/x/f1.txt',
];
const TARGETS = ['data/f3.txt', 'data/deep/made.c', 'built'];
const PATTERNS = [
  '*.txt',
  'data/f1*.txt',
  'data/f?.txt',
  'data/{f2,g}.*',
  'data/**/*.txt',
  'data/**',
  'data/*/f1.txt',
  'src/*.[ch]',
  '**/*.c',
  'data/+(f1|f2).txt',
  'b*',
  'data/f1',
  'nothere/*.txt',
];

describe('GlobExpander', () => {
  it('matches what micromatch matches over every project file and target, per pattern', () => {
    const dir = makeProject(Object.fromEntries(FILES.map((file) => [file, ''])));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const expander = new GlobExpander(TARGETS);
      const everything = [...FILES.filter((file) => !file.startsWith('node_modules/')), ...TARGETS];
      for (const pattern of PATTERNS) {
        assert.deepEqual(expander.expand(pattern), micromatch(everything, pattern).sort(), pattern);
      }
      assert.ok(
        expander.walked.has('data') &&
          expander.walked.has('data/deep/er') &&
          !expander.walked.has('node_modules'),
      );
    } finally {
      process.chdir(cwd);
    }
  });
});
