import assert from 'node:assert/strict';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { placeOutputs } from '../../src/exec/job/place-outputs.js';
import { tempDir } from '../helpers/cli.js';

// Placing downloaded outputs from the job's scratch folder into the project, on a real file system.

function write(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

describe('placing outputs', () => {
  it('replaces files, folders and links with what was built, leaving nothing aside', () => {
    const [project, scratch, outside] = [tempDir(), tempDir(), tempDir()];
    write(project, { 'out/a': 'old', 'out/dir/old': 'old', 'out/was-dir/x': 'old' });
    write(outside, { victim: 'precious' });
    symlinkSync(join(outside, 'victim'), join(project, 'out/link'));
    write(scratch, { 'out/a': 'new', 'out/dir/new': 'new', 'out/link': 'new', 'out/was-dir': 'f' });
    symlinkSync('a', join(scratch, 'out/new-link'));
    const outputs = ['out/a', 'out/dir', 'out/link', 'out/was-dir', 'out/new-link'];
    placeOutputs(scratch, project, outputs);
    assert.equal(readFileSync(join(project, 'out/a'), 'utf8'), 'new');
    assert.deepEqual(readdirSync(join(project, 'out/dir')), ['new']);
    assert.ok(lstatSync(join(project, 'out/link')).isFile());
    assert.equal(readFileSync(join(project, 'out/link'), 'utf8'), 'new');
    assert.equal(readFileSync(join(outside, 'victim'), 'utf8'), 'precious');
    assert.equal(readFileSync(join(project, 'out/was-dir'), 'utf8'), 'f');
    assert.equal(readlinkSync(join(project, 'out/new-link')), 'a');
    assert.deepEqual(
      readdirSync(join(project, 'out')).sort(),
      [...outputs.map((o) => o.slice(4))].sort(),
    );
  });

  it('places a thousand outputs sharing folders, making the folders once', () => {
    const [project, scratch] = [tempDir(), tempDir()];
    const outputs = Array.from({ length: 1000 }, (_, i) => `gen/part${i % 3}/f${i}.o`);
    write(scratch, Object.fromEntries(outputs.map((output) => [output, output])));
    placeOutputs(scratch, project, outputs);
    assert.deepEqual(readdirSync(join(project, 'gen')).sort(), ['part0', 'part1', 'part2']);
    for (const output of outputs) assert.equal(readFileSync(join(project, output), 'utf8'), output);
  });

  it('refuses every output under a folder that is a link, the first one named', () => {
    const [project, scratch, outside] = [tempDir(), tempDir(), tempDir()];
    symlinkSync(outside, join(project, 'gen'));
    write(scratch, { 'gen/a': 'a', 'gen/b': 'b' });
    assert.throws(() => placeOutputs(scratch, project, ['gen/a', 'gen/b']), {
      message:
        "cannot place output 'gen/a': 'gen' is a symbolic link, and outputs are never placed through one",
    });
    assert.deepEqual(readdirSync(outside), []);
  });
});
