import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { digestOfFile } from '../../src/cas/digest.js';
import { HashCache } from '../../src/cas/hash-cache.js';
import { tempDir } from '../helpers/cli.js';

const HASH_CACHE = fileURLToPath(new URL('../../src/cas/hash-cache.js', import.meta.url));

/**
 * A file with `content`, its mtime an hour back; returns once the clock has passed its ctime, so
 * a cache with no racy margin may remember it (its ctime can be in the current millisecond).
 */
function oldFile(dir: string, name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  const hourAgo = Date.now() / 1000 - 3600;
  utimesSync(path, hourAgo, hourAgo);
  const { ctimeMs } = statSync(path);
  while (Date.now() <= ctimeMs + 1);
  return path;
}

describe('hash cache', () => {
  it('answers an unchanged file from the saved cache without reading it', async () => {
    const dir = tempDir();
    const cacheFile = join(dir, 'state', 'hashes.json');
    const input = oldFile(dir, 'a.txt', 'alpha');
    const first = HashCache.load(cacheFile, { racyMarginMs: 0 });
    const expected = await digestOfFile(input);
    assert.deepEqual(await first.digest(input), expected);
    first.save();
    const second = HashCache.load(cacheFile, { racyMarginMs: 0 });
    assert.deepEqual(await second.digest(input), expected);
    assert.equal(second.filesRead, 0);
  });

  it('reads a file again when its content changed, even at the same size', async () => {
    const dir = tempDir();
    const cacheFile = join(dir, 'hashes.json');
    const input = oldFile(dir, 'a.txt', 'alpha');
    const cache = HashCache.load(cacheFile, { racyMarginMs: 0 });
    await cache.digest(input);
    cache.save();
    oldFile(dir, 'a.txt', 'omega');
    const again = HashCache.load(cacheFile, { racyMarginMs: 0 });
    assert.deepEqual(await again.digest(input), await digestOfFile(input));
    assert.equal(again.filesRead, 1);
  });

  it('does not remember a file changed just before it was read (it could change unseen)', async () => {
    const dir = tempDir();
    const cacheFile = join(dir, 'hashes.json');
    const input = join(dir, 'fresh.txt');
    writeFileSync(input, 'just written');
    const cache = HashCache.load(cacheFile);
    await cache.digest(input);
    cache.save();
    const again = HashCache.load(cacheFile);
    await again.digest(input);
    assert.equal(again.filesRead, 1);
  });

  for (const [what, content] of [
    ['garbage', 'not json at all \u0000\u00ff'],
    ['torn', '{"format":"scons-remote-hash-cache-1","files":{"/a":["1:2:3:4:5",'],
    ['foreign', '{"format":"other","files":{"/a":["x","y"]}}'],
    ['wrong-typed', '{"format":"scons-remote-hash-cache-1","files":{"/a":["1:2", "not-a-hash"]}}'],
  ]) {
    it(`reads a ${what} cache file as empty and replaces it on save`, async () => {
      const dir = tempDir();
      const cacheFile = join(dir, 'hashes.json');
      writeFileSync(cacheFile, content!);
      const input = oldFile(dir, 'a.txt', 'alpha');
      const cache = HashCache.load(cacheFile, { racyMarginMs: 0 });
      assert.deepEqual(await cache.digest(input), await digestOfFile(input));
      cache.save();
      const reloaded = HashCache.load(cacheFile, { racyMarginMs: 0 });
      await reloaded.digest(input);
      assert.equal(reloaded.filesRead, 0);
    });
  }

  it('stays a valid cache while many processes save into it at once', async () => {
    const dir = tempDir();
    const cacheFile = join(dir, 'hashes.json');
    const inputs = Array.from({ length: 8 }, (_, i) => oldFile(dir, `f${i}`, `content ${i}`));
    const script = `
      const { HashCache } = await import(${JSON.stringify(HASH_CACHE)});
      for (let round = 0; round < 10; round++) {
        const cache = HashCache.load(process.argv[1], { racyMarginMs: 0 });
        for (const path of process.argv.slice(2)) await cache.digest(path);
        cache.save();
      }`;
    const children = inputs.map((input, i) =>
      spawn(
        process.execPath,
        ['--input-type=module', '-e', script, cacheFile, input, inputs[(i + 1) % inputs.length]!],
        {
          stdio: 'inherit',
        },
      ),
    );
    const codes = await Promise.all(
      children.map((child) => new Promise((resolve) => child.once('close', resolve))),
    );
    assert.deepEqual(
      codes,
      inputs.map(() => 0),
    );
    const saved = JSON.parse(readFileSync(cacheFile, 'utf8')) as { files: object };
    assert.ok(Object.keys(saved.files).length > 0);
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.endsWith('.tmp')),
      [],
    );
    const cache = HashCache.load(cacheFile, { racyMarginMs: 0 });
    for (const input of inputs) {
      const expected = execFileSync('sha256sum', [input], { encoding: 'utf8' }).split(' ')[0];
      assert.equal((await cache.digest(input)).hash, expected);
    }
  });
});
