import assert from 'node:assert/strict';
import { mkdirSync, realpathSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { stepPaths } from '../../src/exec/job/step-paths.js';
import { makeProject } from '../helpers/cli.js';

describe('stepPaths', () => {
  const base = realpathSync(makeProject({}));
  mkdirSync(join(base, 'sub/deeper'), { recursive: true });
  const paths = [
    'a.txt',
    'd/b.txt',
    'd//b.txt',
    './c.txt',
    'd/./e.txt',
    'd/../f.txt',
    'g/',
    '.hidden',
    '..name',
    '...',
    join(base, 'abs.txt'),
  ];

  it('gives every path relative to the folder, from the folder or below it, as resolving would', () => {
    for (const cwd of [base, join(base, 'sub'), join(base, 'sub/deeper')]) {
      const step = stepPaths(base, cwd, paths, paths, 'x.d');
      const expected = paths.map((path) => relative(base, resolve(cwd, path)));
      assert.deepEqual(step.inputs, expected, cwd);
      assert.deepEqual(step.outputs, expected, cwd);
      assert.equal(step.depfile, relative(base, resolve(cwd, 'x.d')));
      assert.equal(step.workDir, relative(base, cwd));
    }
  });

  it('names the argument whose path leaves the folder', () => {
    const sub = join(base, 'sub');
    assert.throws(() => stepPaths(base, sub, ['ok.txt', '../../out.txt'], []), {
      message: `--in '../../out.txt' is not inside ${base}, the folder remote-exec runs for`,
    });
    assert.doesNotThrow(() => stepPaths(base, sub, ['../in-base.txt'], []));
  });
});
