// The 512-byte header of a tar entry (ustar, with GNU's and pax's extensions), read as plain data.

export const BLOCK = 512;

/** What an entry is, by its type flag; only files, folders and symbolic links are ever extracted. */
export type EntryKind =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'hard link'
  | 'character device'
  | 'block device'
  | 'FIFO'
  | 'long name'
  | 'long link name'
  | 'pax header'
  | 'pax global header'
  | 'unknown';

const KINDS: Record<string, EntryKind> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '5': 'directory',
  '2': 'symlink',
  '1': 'hard link',
  '3': 'character device',
  '4': 'block device',
  '6': 'FIFO',
  L: 'long name',
  K: 'long link name',
  x: 'pax header',
  g: 'pax global header',
};

export interface TarHeader {
  name: string;
  kind: EntryKind;
  /** The raw type flag, to name an unknown kind. */
  typeFlag: string;
  mode: number;
  size: number;
  linkName: string;
}

export class ArchiveError extends Error {}

function text(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

/** Octal digits, or GNU's base-256 (high bit set) for values that do not fit. */
function number(block: Buffer, start: number, length: number, what: string): number {
  const field = block.subarray(start, start + length);
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) throw new ArchiveError(`negative ${what} in a tar header`);
    let value = field[0]! & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    if (!Number.isSafeInteger(value)) throw new ArchiveError(`${what} too large in a tar header`);
    return value;
  }
  const digits = text(block, start, length).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw new ArchiveError(`bad ${what} '${digits}' in a tar header`);
  return parseInt(digits, 8);
}

function checksumMatches(block: Buffer): boolean {
  const stored = parseInt(text(block, 148, 8).trim(), 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

export function isZeroBlock(block: Buffer): boolean {
  return block.every((byte) => byte === 0);
}

export function parseHeader(block: Buffer): TarHeader {
  if (!checksumMatches(block)) throw new ArchiveError('not a tar archive (bad header checksum)');
  const typeFlag = String.fromCharCode(block[156]!);
  const name = text(block, 0, 100);
  // POSIX ustar splits long names into a prefix; GNU's magic ("ustar  ") uses those bytes for other things.
  const posix = block.subarray(257, 263).toString('latin1') === 'ustar\0';
  const prefix = posix ? text(block, 345, 155) : '';
  return {
    name: prefix ? `${prefix}/${name}` : name,
    kind: KINDS[typeFlag] ?? 'unknown',
    typeFlag,
    mode: number(block, 100, 8, 'mode'),
    size: number(block, 124, 12, 'size'),
    linkName: text(block, 157, 100),
  };
}

/** pax extended header records: `LENGTH key=value\n`, LENGTH counting the whole record. */
export function parsePax(body: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    const length = space === -1 ? NaN : Number(body.subarray(offset, space).toString('latin1'));
    if (!Number.isInteger(length) || length <= space - offset || offset + length > body.length) {
      throw new ArchiveError('bad pax header record');
    }
    const record = body.subarray(space + 1, offset + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals === -1) throw new ArchiveError('bad pax header record');
    records.set(record.slice(0, equals), record.slice(equals + 1));
    offset += length;
  }
  return records;
}
