import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { sha256Hex } from '../../src/util/sha256.js';

const reference = (text: string) => createHash('sha256').update(text).digest('hex');

describe('sha256Hex', () => {
  it('gives node:crypto’s digest at every padding boundary and beyond, for UTF-8 text', () => {
    // 55, 56 and 64 bytes are where the length moves into a block of its own.
    const lengths = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 70_000];
    for (const length of lengths) {
      const text = 'ab€'.repeat(length).slice(0, length);
      assert.equal(sha256Hex(text), reference(text), `${length} characters`);
    }
    assert.equal(
      sha256Hex('abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      'the standard’s own example',
    );
  });
});
