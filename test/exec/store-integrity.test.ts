import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeProject, remoteGen } from '../helpers/cli.js';
import { configProjectsOnCloud } from '../helpers/remote-project.js';

function sent(stderr: string): string {
  const match = /remote-exec: upload: (\d+ of \d+ files, \d+ bytes)/.exec(stderr);
  assert.ok(match, `no upload line in:\n${stderr}`);
  return match[1]!;
}

describe('the store on the instance never hands a step a wrong input', () => {
  const { project: configured, step } = configProjectsOnCloud();
  const project = (files: Record<string, string>, storeMegabytes?: number) =>
    configured(files, { storeMegabytes });

  it('refuses a command writing into an input in place; one that forces it leaves the store sound', async () => {
    const dir = project({ 'in.txt': 'good\n' });
    const append = await step(dir, ['--in', 'in.txt', '--', 'echo bad >> in.txt']);
    assert.notEqual(append.status, 0);
    assert.match(append.stderr, /in\.txt: Permission denied/);
    const forced = await step(dir, [
      '--in',
      'in.txt',
      '--',
      'chmod u+w in.txt && echo bad >> in.txt',
    ]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(sent(forced.stderr), '0 of 1 files, 0 bytes');
    const after = await step(dir, ['--in', 'in.txt', '--', 'cat in.txt']);
    assert.equal(after.stdout, 'good\n');
    assert.equal(sent(after.stderr), '1 of 1 files, 5 bytes', 'the damaged blob is sent again');
  });

  it('sends a blob again when its store entry was damaged behind its back', async () => {
    const dir = project({ 'in.txt': 'intact\n' });
    assert.equal((await step(dir, ['--in', 'in.txt', '--', 'true'])).status, 0);
    // Other bytes of the same size, read-only again, its mtime put back to the second.
    const damage = await step(dir, [
      '--',
      'cd ~/.scons-remote/store && for f in $(find . -maxdepth 1 -type f); do ' +
        'chmod u+w $f && echo broken > $f && touch -d @946684800 $f && chmod 400 $f; done',
    ]);
    assert.equal(damage.status, 0, damage.stderr);
    const read = await step(dir, ['--in', 'in.txt', '--', 'cat in.txt']);
    assert.equal(read.stdout, 'intact\n');
    assert.equal(sent(read.stderr), '1 of 1 files, 7 bytes');
  });

  it('sends evicted blobs again: a store bound of 0 MB keeps nothing past a step', async () => {
    const dir = project({ 'in.txt': 'kept?\n' }, 0);
    for (let run = 0; run < 2; run++) {
      const read = await step(dir, ['--in', 'in.txt', '--', 'cat in.txt']);
      assert.equal(read.stdout, 'kept?\n');
      assert.equal(sent(read.stderr), '1 of 1 files, 6 bytes');
    }
  });

  it('keeps no evicted blob on the disk through a tree of links: the bound holds', async () => {
    const dir = project({ 'a.txt': 'small\n' }, 1);
    writeFileSync(join(dir, 'big.bin'), randomBytes(2_000_000));
    // The second run makes the tree of a.txt's links, which later runs with a.txt copy.
    for (let run = 0; run < 2; run++)
      assert.equal((await step(dir, ['--in', 'a.txt', '--', 'cat a.txt'])).stdout, 'small\n');
    const big = await step(dir, ['--in', 'big.bin', '--', 'true']);
    assert.equal(sent(big.stderr), '1 of 1 files, 2000000 bytes', 'over the bound: evicted');
    const again = await step(dir, ['--in', 'a.txt', '--', 'cat a.txt']);
    assert.equal(again.stdout, 'small\n');
    assert.equal(sent(again.stderr), '1 of 1 files, 6 bytes', 'evicted with its tree');
  });

  it('serves steps that upload the same blob at once, then sends it no more', async () => {
    const blob = randomBytes(2_000_000);
    const dir = project({});
    writeFileSync(join(dir, 'blob.bin'), blob);
    assert.equal((await step(dir, ['--', 'true'])).status, 0, 'the instance is up');
    const runs = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        step(dir, ['--in', 'blob.bin', '--out', `sum${n}`, '--', `sha256sum blob.bin > sum${n}`]),
      ),
    );
    const local = createHash('sha256').update(blob).digest('hex');
    for (const [n, run] of runs.entries()) {
      assert.equal(run.status, 0, run.stderr);
      assert.equal(readFileSync(join(dir, `sum${n + 1}`), 'utf8'), `${local}  blob.bin\n`);
    }
    const again = await step(dir, ['--in', 'blob.bin', '--', 'true']);
    assert.equal(sent(again.stderr), '0 of 1 files, 0 bytes');
  });

  it('names a store bound that is not a whole number of megabytes', () => {
    const dir = makeProject({
      'key.pem': '',
      'build.remote.ts': `import { EnvironmentRemote } from 'scons-remote';
const env = new EnvironmentRemote();
env.connectionInitialize({ region: 'us-west-2' }, { ImageId: 'ami-1', MinCount: 1, MaxCount: 1 },
  { username: 'ubuntu', privateKeyPath: 'key.pem' }, { storeMegabytes: -5 });
`,
    });
    const gen = remoteGen(dir);
    assert.notEqual(gen.status, 0);
    assert.match(gen.stderr, /build\.remote\.ts:3: connectionInitialize: storeMegabytes must be/);
  });
});
