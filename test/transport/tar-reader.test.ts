import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import {
  declaredOutputs,
  linkStaysInside,
  parentFolders,
  projectPath,
} from '../../src/transport/project-path.js';
import { parsePax } from '../../src/transport/tar-header.js';
import { TarReader, type TarEntry } from '../../src/transport/tar-reader.js';
import { tempDir } from '../helpers/cli.js';

/** Reads `archive` in chunks of `chunkSize` bytes, returning each entry with its content. */
async function entries(
  archive: Buffer,
  chunkSize: number,
): Promise<(TarEntry & { content: string })[]> {
  const seen: (TarEntry & { content: string })[] = [];
  const chunks = Array.from({ length: Math.ceil(archive.length / chunkSize) }, (_, i) =>
    archive.subarray(i * chunkSize, (i + 1) * chunkSize),
  );
  await pipeline(
    Readable.from(chunks),
    new TarReader(async (entry) => {
      const record = { ...entry, content: '' };
      const chunks: Buffer[] = [];
      seen.push(record);
      return {
        write: async (chunk) => void chunks.push(Buffer.from(chunk)),
        close: async () => void (record.content = Buffer.concat(chunks).toString()),
      };
    }),
  );
  return seen;
}

/** An archive written by GNU tar in `format`, of a tree with a long path, a link to it and a non-ASCII name. */
function systemTar(format: string): Buffer {
  const dir = tempDir();
  const long = `${'deep-folder-name/'.repeat(8)}file-with-a-name-longer-than-a-hundred-bytes.txt`;
  execFileSync(
    'sh',
    [
      '-c',
      `mkdir -p "$(dirname ${long})" && printf hello > ${long} && ln -s ${format === 'ustar' ? 'short' : long} link && printf 'é' > 'café.txt' && : > empty && tar --format=${format} -cf all.tar ${long} link café.txt empty`,
    ],
    { cwd: dir },
  );
  return readFileSync(join(dir, 'all.tar'));
}

describe('tar reader', () => {
  for (const format of ['gnu', 'pax', 'ustar']) {
    it(`reads GNU tar's ${format} format at any chunk size`, async () => {
      const archive = systemTar(format);
      for (const chunkSize of [1, 511, 512, 513, 100_000]) {
        const read = await entries(archive, chunkSize);
        assert.deepEqual(
          read.map((entry) => [entry.kind, entry.name.length > 100, entry.content]),
          [
            ['file', true, 'hello'],
            ['symlink', false, ''],
            ['file', false, 'é'],
            ['file', false, ''],
          ],
        );
        if (format !== 'ustar')
          assert.ok(
            read[1]!.linkName.endsWith('longer-than-a-hundred-bytes.txt') &&
              read[1]!.linkName.length > 100,
          );
        assert.equal(read[2]!.name, 'café.txt');
      }
    });
  }

  it('fails on a truncated archive and on garbage, saying so', async () => {
    const archive = systemTar('gnu');
    await assert.rejects(entries(archive.subarray(0, 700), 512), {
      message: 'the archive ended early',
    });
    await assert.rejects(entries(Buffer.alloc(1024, 'x'), 512), {
      message: 'not a tar archive (bad header checksum)',
    });
  });

  it('parses pax records, refusing malformed ones', () => {
    assert.deepEqual(
      [...parsePax(Buffer.from('16 path=a/b.txt\n11 size=42\n'))],
      [
        ['path', 'a/b.txt'],
        ['size', '42'],
      ],
    );
    assert.throws(() => parsePax(Buffer.from('99 path=x\n')), { message: 'bad pax header record' });
  });
});

describe('project paths', () => {
  it('keeps relative paths without .. and drops . parts', () => {
    assert.equal(projectPath('./out//x.txt'), 'out/x.txt');
    assert.equal(projectPath('../x'), undefined);
    assert.equal(projectPath('out/../../x'), undefined);
    assert.equal(projectPath('/etc/passwd'), undefined);
  });

  it('lets a symbolic link stay inside the project only', () => {
    assert.equal(linkStaysInside('out/link', '../data/a.txt'), true);
    assert.equal(linkStaysInside('link', 'sub/../a'), true);
    assert.equal(linkStaysInside('out/link', '../../x'), false);
    assert.equal(linkStaysInside('link', '..'), false);
    assert.equal(linkStaysInside('link', '/etc/shadow'), false);
    assert.equal(linkStaysInside('link', ''), false);
  });

  it('matches declared outputs and the folders leading to a path', () => {
    const isDeclared = declaredOutputs(['gen', 'out/one.txt']);
    assert.equal(isDeclared('gen'), true);
    assert.equal(isDeclared('gen/a/b'), true);
    assert.equal(isDeclared('general'), false);
    assert.equal(isDeclared('out/one.txt'), true);
    assert.equal(isDeclared('out'), false);
    assert.equal(isDeclared('out/two.txt'), false);
    assert.deepEqual(parentFolders('a/b/c'), ['a', 'a/b']);
    assert.deepEqual(parentFolders('c'), []);
  });
});
