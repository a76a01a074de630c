import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { digestKey, digestOfBuffer, digestOfFile } from '../../src/cas/digest.js';
import { tempDir } from '../helpers/cli.js';

/** What coreutils' sha256sum says of `path`. */
function sha256sum(path: string): string {
  return execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]!;
}

describe('digest', () => {
  it('is the SHA-256 and byte count REAPI names a blob by', () => {
    assert.deepEqual(digestOfBuffer(Buffer.alloc(0)), {
      hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      sizeBytes: 0,
    });
    const abc = digestOfBuffer(Buffer.from('abc'));
    assert.equal(digestKey(abc), `${sha256OfText('abc')}/3`);
  });

  it('hashes a file larger than its read buffer as sha256sum does', async () => {
    const path = join(tempDir(), 'big.bin');
    const content = randomBytes(3 * (1 << 20) + 17);
    writeFileSync(path, content);
    assert.deepEqual(await digestOfFile(path), {
      hash: sha256sum(path),
      sizeBytes: content.length,
    });
  });

  it('hashes an empty file', async () => {
    const path = join(tempDir(), 'empty');
    writeFileSync(path, '');
    assert.deepEqual(await digestOfFile(path), digestOfBuffer(Buffer.alloc(0)));
  });
});

function sha256OfText(text: string): string {
  return execFileSync('sha256sum', { input: text, encoding: 'utf8' }).split(' ')[0]!;
}
