import assert from 'node:assert/strict';
import { createReadStream, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { extractInto } from '../../src/transport/safe-extract.js';
import { TarReader } from '../../src/transport/tar-reader.js';
import { tempDir } from '../helpers/cli.js';
import { craftedTar } from './crafted-tar.js';

// The extraction of a download, on archives no GNU tar writes: what lands in the folder, what is refused.

/** Extracts an archive of `entries` into a fresh folder, as a download does; returns the folder. */
async function extracted(entries: object[], declared: string[]): Promise<string> {
  const archive = join(tempDir(), 'crafted.tar');
  craftedTar(archive, entries);
  const into = tempDir();
  await pipeline(createReadStream(archive), new TarReader(extractInto(into, declared)));
  return into;
}

describe('extraction of a download', () => {
  it('lets a later entry of a name replace the earlier one, as tar does, never writing through a link', async () => {
    const into = await extracted(
      [
        { name: 'out/a', type: 'file', data: 'one' },
        { name: 'out/a', type: 'symlink', link: 'b' },
        { name: 'out/b', type: 'file', data: 'kept' },
        { name: 'out/a', type: 'file', data: 'two' },
        { name: 'out/l', type: 'file', data: 'file first' },
        { name: 'out/l', type: 'symlink', link: 'b' },
        { name: 'out/d', type: 'dir' },
        { name: 'out/d', type: 'dir' },
        { name: 'out/d/x', type: 'file', data: 'in d' },
        { name: 'out/e', type: 'file', data: 'becomes a folder' },
        { name: 'out/e', type: 'dir' },
      ],
      ['out'],
    );
    assert.equal(readFileSync(join(into, 'out/a'), 'utf8'), 'two');
    assert.ok(lstatSync(join(into, 'out/a')).isFile());
    assert.equal(readFileSync(join(into, 'out/b'), 'utf8'), 'kept');
    assert.equal(readlinkSync(join(into, 'out/l')), 'b');
    assert.equal(readFileSync(join(into, 'out/d/x'), 'utf8'), 'in d');
    assert.ok(lstatSync(join(into, 'out/e')).isDirectory());
  });

  it('refuses a file or a link where a folder came first, naming the entry', async () => {
    for (const type of ['file', 'symlink']) {
      const entry = { name: 'out/d', type, link: 'x', data: 'x' };
      await assert.rejects(extracted([{ name: 'out/d/', type: 'dir' }, entry], ['out']), {
        message: "refused 'out/d': a folder of that name came first",
      });
    }
  });

  it('takes a thousand outputs declared one by one, and refuses the one not declared', async () => {
    const names = Array.from({ length: 1000 }, (_, i) => `out/f${i}`);
    const entries = names.map((name) => ({ name, type: 'file', data: name }));
    const into = await extracted(entries, names);
    assert.equal(readdirSync(join(into, 'out')).length, 1000);
    assert.equal(readFileSync(join(into, 'out/f999'), 'utf8'), 'out/f999');
    await assert.rejects(extracted([...entries, { name: 'out/f1000', type: 'file' }], names), {
      message: "refused 'out/f1000': not a declared output",
    });
  });
});
