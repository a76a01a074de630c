import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { STEP_CLIENT } from '../helpers/cli.js';
import { ninjaAsync } from '../helpers/cloud.js';
import { configProjectsOnCloud } from '../helpers/remote-project.js';

/** The step's own account of what it sent: `upload: N of M files, X bytes`. */
function uploaded(stderr: string): { files: number; of: number; bytes: number } {
  const match = /remote-exec: upload: (\d+) of (\d+) files, (\d+) bytes/.exec(stderr);
  assert.ok(match, `no upload line in:\n${stderr}`);
  return { files: Number(match[1]), of: Number(match[2]), bytes: Number(match[3]) };
}

describe('the content-addressed store on the instance', () => {
  const { project, step, env } = configProjectsOnCloud();

  it('sends no content for 300 unchanged inputs the second and third time; executable bits survive', async () => {
    const files: Record<string, string> = { 'tool.sh': '#!/bin/sh\ncat "$@" | wc -c\n' };
    for (let i = 0; i < 300; i++) files[`src/d${i % 7}/f${i}.txt`] = `${i}\n`.repeat(1000);
    const dir = project(files);
    chmodSync(join(dir, 'tool.sh'), 0o755);
    const args = ['--in', 'src', '--in', 'tool.sh', '--out', 'n.txt', '--'];
    const command = 'test -x tool.sh && ! test -x src/d0/f0.txt && ./tool.sh src/*/* > n.txt';
    const first = await step(dir, [...args, command]);
    assert.equal(first.status, 0, first.stderr);
    const sizes = Object.entries(files).map(([path, text]) =>
      path.startsWith('src') ? text.length : 0,
    );
    const sources = sizes.reduce((sum, size) => sum + size, 0);
    const total = sources + files['tool.sh']!.length;
    assert.deepEqual(uploaded(first.stderr), { files: 301, of: 301, bytes: total });
    const second = await step(dir, [...args, command]);
    assert.equal(second.status, 0, second.stderr);
    assert.deepEqual(uploaded(second.stderr), { files: 0, of: 301, bytes: 0 });
    assert.equal(readFileSync(join(dir, 'n.txt'), 'utf8').trim(), String(sources));
    // The third job folder is a copy of the links the second one left on the instance.
    rmSync(join(dir, 'n.txt'));
    const third = await step(dir, [...args, command]);
    assert.equal(third.status, 0, third.stderr);
    assert.deepEqual(uploaded(third.stderr), { files: 0, of: 301, bytes: 0 });
    assert.equal(readFileSync(join(dir, 'n.txt'), 'utf8').trim(), String(sources));
  });

  it('uploads nothing for a remote output that the next remote step of ninja consumes', async () => {
    const dir = project({
      'seed.txt': 'seed\n',
      'build.ninja': [
        `rule remote`,
        `  command = ${STEP_CLIENT} --config remote.json --verbose` +
          ` --in $in --out $out -- $cmd`,
        'build big.bin: remote seed.txt',
        "  cmd = 'head -c 3000000 /dev/urandom > big.bin'",
        'build big.sum: remote big.bin',
        "  cmd = 'sha256sum big.bin > big.sum'",
        '',
      ].join('\n'),
    });
    const build = await ninjaAsync(dir, env(), ['-j1']);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    const lines = build.stdout.split('\n').filter((line) => line.includes('upload:'));
    assert.equal(lines.length, 2, build.stdout);
    assert.match(lines[1]!, /upload: 0 of 1 files, 0 bytes/);
    const local = createHash('sha256')
      .update(readFileSync(join(dir, 'big.bin')))
      .digest('hex');
    assert.equal(readFileSync(join(dir, 'big.sum'), 'utf8'), `${local}  big.bin\n`);
  });

  it('re-hashes inputs a user edits: same size, mtime put back, or replaced by a rename', async () => {
    const dir = project({ 'in.txt': 'one\n' });
    const read = async () => {
      const run = await step(dir, ['--in', 'in.txt', '--', 'cat in.txt']);
      assert.equal(run.status, 0, run.stderr);
      return { text: run.stdout, sent: uploaded(run.stderr).files };
    };
    assert.deepEqual(await read(), { text: 'one\n', sent: 1 });
    assert.deepEqual(await read(), { text: 'one\n', sent: 0 });
    const path = join(dir, 'in.txt');
    const { atime, mtime } = statSync(path);
    writeFileSync(path, 'two\n');
    utimesSync(path, atime, mtime);
    assert.deepEqual(await read(), { text: 'two\n', sent: 1 }, 'same size, mtime restored');
    writeFileSync(join(dir, 'new.txt'), 'six\n');
    utimesSync(join(dir, 'new.txt'), atime, mtime);
    renameSync(join(dir, 'new.txt'), path);
    assert.deepEqual(await read(), { text: 'six\n', sent: 1 }, 'replaced by a rename');
    writeFileSync(path, 'one\n');
    assert.deepEqual(await read(), { text: 'one\n', sent: 0 }, 'back to content the store has');
  });

  it('never hands a step a wrong input when the hash cache holds a wrong digest', async () => {
    const dir = project({ 'in.txt': 'true content\n' });
    const path = realpathSync(join(dir, 'in.txt'));
    const stats = statSync(path, { bigint: true });
    const print = [stats.dev, stats.ino, stats.size, stats.mtimeNs, stats.ctimeNs].join(':');
    const files = { [path]: [print, createHash('sha256').update('forged').digest('hex')] };
    mkdirSync(join(dir, '.scons-remote'), { recursive: true });
    const cache = { format: 'scons-remote-hash-cache-1', files };
    writeFileSync(join(dir, '.scons-remote/hash-cache.json'), JSON.stringify(cache));
    const run = await step(dir, ['--in', 'in.txt', '--', 'cat in.txt']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'true content\n');
  });
});
