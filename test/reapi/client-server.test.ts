import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Engine } from '../../src/reapi/engine.js';
import { makeProject } from '../helpers/cli.js';
import { configProjectsOnEngine } from '../helpers/engine-project.js';
import { describeTree, runLocally, runStep } from './step.js';

const BUILD = [
  'mkdir -p out/deep',
  'cat src/a.txt src/sub/b.txt > out/joined.txt',
  './tools/gen.sh > out/deep/generated.txt',
  'cp tools/gen.sh out/deep/tool.sh',
  'ln -s generated.txt out/deep/link',
  'sha256sum big.bin > big.sum',
  'cp big.bin out/big-copy.bin',
  'echo "to stdout"; echo "to stderr" >&2',
].join(' && ');

function project(): string {
  const dir = makeProject({
    'src/a.txt': 'alpha\n',
    'src/sub/b.txt': 'beta\n',
    'tools/gen.sh': '#!/bin/sh\necho generated\n',
  });
  chmodSync(join(dir, 'tools/gen.sh'), 0o755);
  // Over the engine's batch limit below, so it travels through ByteStream Write.
  writeFileSync(join(dir, 'big.bin'), randomBytes(3 * 1024 * 1024 + 5));
  return dir;
}

describe('REAPI client against the test engine', () => {
  const { server } = configProjectsOnEngine({ maxBatchBytes: 1024 * 1024 });

  it('builds what a local run builds, byte for byte; a second run is all cache hits', async () => {
    const dir = project();
    const step = {
      baseDir: dir,
      command: BUILD,
      inputs: ['src', 'tools/gen.sh', 'big.bin'],
      outputs: ['out', 'big.sum'],
    };
    const local = runLocally(dir, BUILD);
    const first = await runStep({ endpoint: server().endpoint }, step);
    assert.deepEqual(
      { exitCode: first.exitCode, stdout: first.stdout, stderr: first.stderr, hit: first.cacheHit },
      { exitCode: 0, stdout: 'to stdout\n', stderr: 'to stderr\n', hit: false },
    );
    assert.deepEqual(describeTree(dir), describeTree(local));
    assert.ok(server().calls.includes('Write'), 'the large input went through ByteStream Write');
    assert.ok(server().calls.includes('Read'), 'the large output came through ByteStream Read');
    assert.ok(first.bytesUploaded > 3 * 1024 * 1024, `${first.bytesUploaded} bytes sent`);

    server().calls.length = 0;
    const uploadedBefore = server().stats.blobsUploaded;
    const executionsBefore = server().stats.executions;
    const second = await runStep({ endpoint: server().endpoint }, step);
    assert.equal(second.cacheHit, true);
    assert.equal(second.bytesUploaded, 0);
    assert.equal(second.stdout, 'to stdout\n');
    assert.equal(server().stats.blobsUploaded - uploadedBefore, 0);
    assert.equal(server().stats.executions - executionsBefore, 0);
    assert.ok(!server().calls.includes('Execute'));
  });

  it('runs 64 steps, 16 at a time, through one shared channel', async () => {
    const engine = new Engine({ endpoint: server().endpoint });
    const dir = makeProject({ 'shared.txt': 'shared input\n' });
    const steps = Array.from({ length: 64 }, (_, i) => ({
      baseDir: dir,
      command: `cat shared.txt > out/${i}.txt && echo ${i} >> out/${i}.txt`,
      inputs: ['shared.txt'],
      outputs: [`out/${i}.txt`],
    }));
    const queue = steps.values();
    try {
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (const step of queue) assert.equal((await runStep(engine, step)).exitCode, 0);
        }),
      );
    } finally {
      engine.close();
    }
    for (let i = 0; i < 64; i++) {
      assert.equal(readFileSync(join(dir, `out/${i}.txt`), 'utf8'), `shared input\n${i}\n`);
    }
  });
});
