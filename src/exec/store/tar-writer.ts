import { createReadStream } from 'node:fs';
import { BLOCK } from '../../transport/tar-header.js';
import { UserError } from '../../util/user-error.js';

// Writes the tar stream that fills the instance's store and assembles a job folder in one `tar -x`:
// blobs under names we choose (their digests), folders, and hard links from a job's paths to the
// store's blobs. System tar cannot name a member other than its path, hence our own writer. Names
// longer than ustar's 100 bytes, and sizes past its 8 GiB, travel in a pax header before the entry.

export type TarEntry =
  | { kind: 'directory'; name: string }
  | {
      kind: 'file';
      name: string;
      source: string;
      size: number;
      mode: number;
      /** Sees every byte of the content as it is sent (to hash what actually went). */
      onContent?: (bytes: Buffer) => void;
    }
  | { kind: 'hard link'; name: string; target: string };

export interface ArchiveOptions {
  /** Every entry's mtime, seconds since the epoch with a fraction (a pax global header). */
  mtime?: string;
  /** A last file, made once every entry before it is sent (an upload's verdict on them). */
  closing?: { name: string; content: () => Buffer };
}

const USTAR_NAME_BYTES = 100;
const USTAR_MAX_SIZE = 8 ** 11 - 1;
const ZEROS = Buffer.alloc(BLOCK * 2);
/**
 * Bytes gathered before the stream passes them on: a header or a small file per write costs the
 * channel a packet, its encryption and a system call each, a thousand 4 KB inputs 10,000 of them.
 */
const BATCH_BYTES = 128 * 1024;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, type: string, size: number, mode: number, link = ''): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, USTAR_NAME_BYTES);
  block.write(octal(mode, 8), 100);
  block.write(octal(0, 8), 108);
  block.write(octal(0, 8), 116);
  block.write(octal(size > USTAR_MAX_SIZE ? 0 : size, 12), 124);
  block.write(octal(0, 12), 136);
  block.write(' '.repeat(8), 148);
  block.write(type, 156);
  block.write(link, 157, USTAR_NAME_BYTES);
  block.write('ustar\x0000', 257);
  let sum = 0;
  // An indexed loop: iterating the block's bytes costs a thousand links tens of milliseconds.
  for (let i = 0; i < BLOCK; i++) sum += block[i]!;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

/** A pax record: its own length in decimal counts the whole line, digits included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body);
  while (String(length).length + Buffer.byteLength(body) !== length) {
    length = String(length).length + Buffer.byteLength(body);
  }
  return `${length}${body}`;
}

function padding(size: number): Buffer {
  return ZEROS.subarray(0, (BLOCK - (size % BLOCK)) % BLOCK);
}

function* paxBlocks(type: 'x' | 'g', records: string): Generator<Buffer> {
  if (!records) return;
  const body = Buffer.from(records);
  yield header('pax', type, body.length, 0o644);
  yield body;
  yield padding(body.length);
}

function paxHeader(name: string, size: number, link: string): Generator<Buffer> {
  const records =
    (Buffer.byteLength(name) >= USTAR_NAME_BYTES ? paxRecord('path', name) : '') +
    (Buffer.byteLength(link) >= USTAR_NAME_BYTES ? paxRecord('linkpath', link) : '') +
    (size > USTAR_MAX_SIZE ? paxRecord('size', String(size)) : '');
  return paxBlocks('x', records);
}

function globalHeader({ mtime }: ArchiveOptions): Generator<Buffer> {
  return paxBlocks('g', mtime === undefined ? '' : paxRecord('mtime', mtime));
}

/**
 * Exactly `size` bytes of `source`: a file that shrank since it was hashed is padded with zeros, so
 * the archive stays whole and the instance's hash check refuses the blob.
 */
async function* content(
  source: string,
  size: number,
  onContent: (bytes: Buffer) => void = () => {},
): AsyncGenerator<Buffer> {
  let sent = 0;
  try {
    if (size > 0) {
      const reading = createReadStream(source, {
        start: 0,
        end: size - 1,
        highWaterMark: BATCH_BYTES,
      });
      for await (const chunk of reading) {
        sent += (chunk as Buffer).length;
        onContent(chunk as Buffer);
        yield chunk as Buffer;
      }
    }
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UserError(`input '${source}' could not be read while uploading it (${reason})`);
  }
  for (; sent < size; sent += Math.min(size - sent, ZEROS.length)) {
    const zeros = ZEROS.subarray(0, Math.min(size - sent, ZEROS.length));
    onContent(zeros);
    yield zeros;
  }
  yield padding(size);
}

/** An entry without content: a folder or a hard link. */
export type HeaderEntry = Exclude<TarEntry, { kind: 'file' }>;

function* headerOnly(entry: HeaderEntry): Generator<Buffer> {
  if (entry.kind === 'directory') {
    yield* paxHeader(`${entry.name}/`, 0, '');
    yield header(`${entry.name}/`, '5', 0, 0o755);
  } else {
    yield* paxHeader(entry.name, 0, entry.target);
    yield header(entry.name, '1', 0, 0o644, entry.target);
  }
}

function* fileHeader(entry: Extract<TarEntry, { kind: 'file' }>): Generator<Buffer> {
  yield* paxHeader(entry.name, entry.size, '');
  yield header(entry.name, '0', entry.size, entry.mode);
}

async function* entryBlocks(
  entries: Iterable<TarEntry>,
  options: ArchiveOptions,
): AsyncGenerator<Buffer> {
  yield* globalHeader(options);
  for (const entry of entries) {
    if (entry.kind !== 'file') {
      yield* headerOnly(entry);
    } else {
      yield* fileHeader(entry);
      yield* content(entry.source, entry.size, entry.onContent);
    }
  }
  if (options.closing) {
    const body = options.closing.content();
    yield* paxHeader(options.closing.name, body.length, '');
    yield header(options.closing.name, '0', body.length, 0o600);
    yield body;
    yield padding(body.length);
  }
  yield ZEROS;
}

/** `blocks` in writes of about BATCH_BYTES; a large chunk goes on as it is, never copied. */
async function* batched(blocks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let bytes = 0;
  for await (const block of blocks) {
    pending.push(block);
    bytes += block.length;
    if (bytes < BATCH_BYTES) continue;
    yield pending.length === 1 ? block : Buffer.concat(pending, bytes);
    pending = [];
    bytes = 0;
  }
  if (bytes > 0) yield Buffer.concat(pending, bytes);
}

/** The archive of `entries`, ended as tar expects. */
export function tarStream(
  entries: Iterable<TarEntry>,
  options: ArchiveOptions = {},
): AsyncGenerator<Buffer> {
  return batched(entryBlocks(entries, options));
}

/** The archive of folders and links alone, at once: no content to wait for. */
export function tarOfHeaders(entries: Iterable<HeaderEntry>): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) blocks.push(...headerOnly(entry));
  blocks.push(ZEROS);
  return Buffer.concat(blocks);
}
