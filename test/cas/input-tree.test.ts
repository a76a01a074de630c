import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { digestOfBuffer, digestOfFile } from '../../src/cas/digest.js';
import { buildInputTree, treeFiles } from '../../src/cas/input-tree.js';
import { makeProject, tempDir } from '../helpers/cli.js';

describe('input tree', () => {
  it('holds files with digests and executable bits, folders walked whole, links followed', async () => {
    const outside = join(tempDir(), 'outside.txt');
    writeFileSync(outside, 'from outside');
    const project = makeProject({
      'top.txt': 'top',
      'tools/run.sh': '#!/bin/sh\necho hi\n',
      'data/a/one.txt': 'one',
      'data/b.txt': 'b',
    });
    chmodSync(join(project, 'tools/run.sh'), 0o755);
    mkdirSync(join(project, 'data/empty'));
    symlinkSync(outside, join(project, 'data/linked.txt'));
    symlinkSync('a', join(project, 'data/alias'));

    const tree = await buildInputTree(
      project,
      ['top.txt', './tools/run.sh', 'data/'],
      digestOfFile,
    );

    const listed = treeFiles(tree).map(({ path, file }) => [path, file.digest, file.isExecutable]);
    const text = (content: string) => digestOfBuffer(Buffer.from(content));
    assert.deepEqual(listed, [
      ['data/a/one.txt', text('one'), false],
      ['data/alias/one.txt', text('one'), false],
      ['data/b.txt', text('b'), false],
      ['data/linked.txt', text('from outside'), false],
      ['tools/run.sh', text('#!/bin/sh\necho hi\n'), true],
      ['top.txt', text('top'), false],
    ]);
    const data = tree.directories.get('data')!;
    assert.deepEqual([...data.directories.keys()].sort(), ['a', 'alias', 'empty']);
    assert.equal(data.directories.get('empty')!.files.size, 0);
    assert.equal(data.files.get('linked.txt')!.source, join(project, 'data/linked.txt'));
  });

  it('digests each file once when inputs overlap', async () => {
    const project = makeProject({ 'd/x.txt': 'x', 'd/y.txt': 'y' });
    const asked: string[] = [];
    const digestOf = (path: string) => (asked.push(path), digestOfFile(path));
    const tree = await buildInputTree(project, ['d', 'd/x.txt', 'd/./x.txt'], digestOf);
    assert.deepEqual(asked.sort(), [join(project, 'd/x.txt'), join(project, 'd/y.txt')]);
    assert.equal(treeFiles(tree).length, 2);
  });

  it('gives an empty tree for no inputs', async () => {
    const tree = await buildInputTree(tempDir(), [], digestOfFile);
    assert.deepEqual(treeFiles(tree), []);
    assert.equal(tree.directories.size, 0);
  });

  const refusals: [string, string[], (project: string) => void, RegExp][] = [
    ['a missing input', ['nope.txt'], () => {}, /^input 'nope.txt' does not exist$/],
    ['a path outside the project', ['../x'], () => {}, /^input '\.\.\/x' is outside the project$/],
    ['an absolute path', ['/etc/passwd'], () => {}, /^input '\/etc\/passwd' is outside/],
    ['the whole project', ['.'], () => {}, /^input '\.' names the whole project$/],
    [
      'a broken link inside a folder',
      ['d'],
      (project) => symlinkSync('gone', join(project, 'd/broken')),
      /^input 'd\/broken' does not exist$/,
    ],
    [
      'a folder linking into itself',
      ['d'],
      (project) => symlinkSync('.', join(project, 'd/self')),
      /^input 'd\/self' is a symbolic link into itself$/,
    ],
    [
      'a named pipe',
      ['d'],
      (project) => execFileSync('mkfifo', [join(project, 'd/pipe')]),
      /^input 'd\/pipe' is not a file or folder$/,
    ],
  ];
  for (const [what, inputs, prepare, message] of refusals) {
    it(`refuses ${what} with one line naming it`, async () => {
      const project = makeProject({ 'd/ok.txt': 'ok' });
      prepare(project);
      await assert.rejects(buildInputTree(project, inputs, digestOfFile), (error: Error) => {
        assert.equal(error.name, 'UserError');
        assert.match(error.message, message);
        return true;
      });
    });
  }
});
