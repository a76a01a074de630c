import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BLOB_MTIME, blobMode } from '../../src/exec/store/store-scripts.js';
import { tarStream, type TarEntry } from '../../src/exec/store/tar-writer.js';
import { tempDir } from '../helpers/cli.js';

// The upload's archive, read by the system's tar as the instance reads it: blobs must come out
// sound, read-only with the store's fixed mtime, without any step after tar, and the verdict last,
// made once every blob before it was read.

async function archive(entries: TarEntry[], verdict = () => Buffer.from('sound\n')) {
  const chunks: Buffer[] = [];
  const closing = { name: 'in/verdict', content: verdict };
  for await (const chunk of tarStream(entries, { mtime: BLOB_MTIME, closing })) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe("the store upload's archive", () => {
  it('extracts to sound blobs, links to them and the verdict', async () => {
    const dir = tempDir();
    const small = join(dir, 'small.txt');
    const big = join(dir, 'big.bin');
    writeFileSync(small, 'small\n');
    writeFileSync(big, Buffer.alloc(300_000, 7));
    const longName = `${'d'.repeat(120)}/tool`;
    const seen: number[] = [];
    const entries: TarEntry[] = [
      { kind: 'file', name: 'in/plain', source: small, size: 6, mode: blobMode(false) },
      {
        kind: 'file',
        name: 'in/tool.x',
        source: big,
        size: 300_000,
        mode: blobMode(true),
        onContent: (bytes) => seen.push(bytes.length),
      },
      { kind: 'directory', name: 'job' },
      { kind: 'directory', name: `job/${'d'.repeat(120)}` },
      { kind: 'hard link', name: 'job/small.txt', target: 'in/plain' },
      { kind: 'hard link', name: `job/${longName}`, target: 'in/tool.x' },
    ];
    let seenByVerdict = 0;
    const bytes = await archive(entries, () => {
      seenByVerdict = seen.reduce((sum, n) => sum + n, 0);
      return Buffer.from('sound\n');
    });
    assert.equal(seenByVerdict, 300_000, 'the verdict is made after the content was read');
    const out = join(dir, 'out');
    mkdirSync(out);
    execFileSync('tar', ['-x', '-C', out, '--no-same-owner', '-f', '-'], { input: bytes });
    const mtime = execFileSync('stat', ['-c', '%a %.9Y', join(out, 'in/plain')], {
      encoding: 'utf8',
    });
    assert.equal(mtime, `400 ${BLOB_MTIME}\n`);
    assert.equal(statSync(join(out, 'in/tool.x')).mode & 0o777, 0o500);
    assert.equal(readFileSync(join(out, 'job/small.txt'), 'utf8'), 'small\n');
    assert.equal(statSync(join(out, `job/${longName}`)).ino, statSync(join(out, 'in/tool.x')).ino);
    assert.equal(readFileSync(join(out, 'in/verdict'), 'utf8'), 'sound\n');
  });

  it('pads a file that shrank since it was hashed, so the archive stays whole', async () => {
    const dir = tempDir();
    const source = join(dir, 'shrunk.txt');
    writeFileSync(source, 'abc');
    let hashed = 0;
    const entries: TarEntry[] = [
      {
        kind: 'file',
        name: 'blob',
        source,
        size: 10,
        mode: 0o400,
        onContent: (bytes) => (hashed += bytes.length),
      },
    ];
    const bytes = await archive(entries);
    const out = join(dir, 'out');
    mkdirSync(out);
    execFileSync('tar', ['-x', '-C', out, '--no-same-owner', '-f', '-'], { input: bytes });
    assert.equal(statSync(join(out, 'blob')).size, 10);
    assert.equal(hashed, 10, 'the padding is hashed too: it cannot match the digest asked for');
  });
});
