import assert from 'node:assert/strict';
import { statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unchangedSince } from '../../src/cas/file-version.js';
import { tempDir } from '../helpers/cli.js';

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

describe('a file version told by its stat', () => {
  it('holds for a file last changed well before the read and not since', () => {
    const path = join(tempDir(), 'old.txt');
    writeFileSync(path, 'old');
    utimesSync(path, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const before = statSync(path, { bigint: true });
    // Its ctime is that of the utimes call: the read starts a while after it.
    const since = before.ctimeNs + 100_000_000n;
    assert.ok(unchangedSince(before, since, statSync(path, { bigint: true })));
  });

  it('does not hold for a file written during the read', () => {
    const path = join(tempDir(), 'written.txt');
    writeFileSync(path, 'one');
    const before = statSync(path, { bigint: true });
    const since = before.ctimeNs + 100_000_000n;
    writeFileSync(path, 'two');
    assert.ok(!unchangedSince(before, since, statSync(path, { bigint: true })));
  });

  it('does not hold for a file changed within a clock tick of the read, even if its stat is still', () => {
    const path = join(tempDir(), 'racy.txt');
    writeFileSync(path, 'racy');
    const before = statSync(path, { bigint: true });
    assert.ok(!unchangedSince(before, nowNs(), before));
  });
});
