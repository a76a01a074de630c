import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDepfile, renderDepfile } from '../../src/exec/job/depfile-syntax.js';
import { JobFolderPaths } from '../../src/exec/job/job-folder-paths.js';
import { finishDepfile, localDepfile } from '../../src/exec/job/local-depfile.js';
import { tempDir } from '../helpers/cli.js';

const JOB = '.scons-remote/jobs/0123456789abcdef';
const ON_INSTANCE = `/home/ubuntu/${JOB}`;

describe('depfiles', () => {
  it("are read as gcc writes them and ninja reads them: escapes, continuations, -MP's rules", () => {
    const text = [
      'obj/a.o: src/a.c src/my\\ header.h src/h\\#1.h \\',
      '  src/cost$$.h src/back\\\\\\ slash.h /usr/include/stdio.h',
      '',
      'src/my\\ header.h:',
      'src/h\\#1.h :',
    ].join('\n');
    const rules = parseDepfile(text);
    assert.deepEqual(rules, [
      {
        targets: ['obj/a.o'],
        deps: [
          'src/a.c',
          'src/my header.h',
          'src/h#1.h',
          'src/cost$.h',
          'src/back\\ slash.h',
          '/usr/include/stdio.h',
        ],
      },
      { targets: ['src/my header.h'], deps: [] },
      { targets: ['src/h#1.h'], deps: [] },
    ]);
    assert.deepEqual(parseDepfile(renderDepfile(rules)), rules);
  });

  it('that are not in Makefile syntax are refused, naming the line', () => {
    assert.throws(() => parseDepfile('obj/a.o src/a.c\n'), /^Error: line 1 has no 'target:'$/);
    assert.throws(() => parseDepfile('a.o: b: c\n'), /line 1 has more than one ':'/);
    assert.throws(() => parseDepfile('\n: src/a.c\n'), /line 2 has no target/);
    assert.throws(() => parseDepfile('\n\n'), /it lists no target/);
    assert.throws(() => parseDepfile('a.o: \0\n'), /line 1 holds a NUL byte/);
  });

  it("from the instance name the project's files here and leave the instance's own out", () => {
    const paths = new JobFolderPaths(JOB, '/work/my project');
    const text = [
      `obj/a.o: ${ON_INSTANCE}/src/a.c include/a.h ${ON_INSTANCE}/include/b.h \\`,
      ' /usr/include/stdio.h',
      '/usr/include/stdio.h:',
      `${ON_INSTANCE}/include/b.h:`,
    ].join('\n');
    assert.deepEqual(parseDepfile(localDepfile(text, paths)), [
      {
        targets: ['obj/a.o'],
        deps: ['/work/my project/src/a.c', 'include/a.h', '/work/my project/include/b.h'],
      },
      { targets: ['/work/my project/include/b.h'], deps: [] },
    ]);
  });

  it('are put in place in local form, or refused naming the step when missing or unparsable', () => {
    const dir = tempDir();
    const paths = new JobFolderPaths(JOB, '/wørk', 'latin1');
    const step = { name: 'obj/a.d', target: 'obj/a.o' };
    const from = join(dir, 'downloaded.d');
    const to = join(dir, 'a.d');
    assert.throws(
      () => finishDepfile(step, from, to, paths),
      /^UserError: the command succeeded but did not write its depfile 'obj\/a\.d' of 'obj\/a\.o'$/,
    );
    writeFileSync(from, 'compiled fine\n');
    assert.throws(
      () => finishDepfile(step, from, to, paths),
      /^UserError: depfile 'obj\/a\.d' of 'obj\/a\.o' is not in Makefile syntax: line 1 has no 'target:'$/,
    );
    assert.equal(existsSync(to), false);
    writeFileSync(from, `obj/a.o: ${ON_INSTANCE}/src/é.c\n`);
    finishDepfile(step, from, to, paths);
    assert.equal(readFileSync(to, 'utf8'), 'obj/a.o: \\\n  /wørk/src/é.c\n');
    finishDepfile(step, to, to);
    assert.equal(readFileSync(to, 'utf8'), 'obj/a.o: \\\n  /wørk/src/é.c\n');
  });
});
