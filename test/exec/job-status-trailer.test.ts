import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusTrailer } from '../../src/exec/job/status-trailer.js';
import { statusMarker } from '../../src/exec/job/step-supervisor.js';

const marker = statusMarker('0123456789abcdef');

/** Feeds `text` in chunks of `size` bytes; returns what was passed on and the status found. */
function feed(
  text: string,
  size: number,
): { passed: string; status: number | undefined; count: number } {
  const trailer = new StatusTrailer(marker);
  const bytes = Buffer.from(text);
  let passed = '';
  for (let at = 0; at < bytes.length; at += size)
    passed += trailer.push(bytes.subarray(at, at + size)).toString();
  return { passed, status: trailer.status, count: trailer.passed };
}

describe('the status trailer of a step', () => {
  it('passes the step stderr through and reads the status, however the stream is cut', () => {
    const stderr = 'warning: \x1e almost a marker\x1escons-remote:\nend without newline';
    for (const size of [1, 2, 7, 1000]) {
      assert.deepEqual(feed(`${stderr}${marker}143\n`, size), {
        passed: stderr,
        status: 143,
        count: Buffer.byteLength(stderr),
      });
    }
  });

  it('holds back only what may be the start of the trailer, and counts only what it passed on', () => {
    assert.deepEqual(feed(`abc${marker.slice(0, 5)}`, 3), {
      passed: 'abc',
      status: undefined,
      count: 3,
    });
    assert.deepEqual(feed(`abc${marker}4`, 100), { passed: 'abc', status: undefined, count: 3 });
  });
});
