import { Writable } from 'node:stream';
import {
  ArchiveError,
  BLOCK,
  isZeroBlock,
  parseHeader,
  parsePax,
  type TarHeader,
} from './tar-header.js';

// A streaming tar reader: it hands each entry, with its GNU long names and pax records applied, to a handler
// that decides what to do with it. It writes nothing itself, so the handler alone decides what may be created.

/** A header with its long name and pax records applied. */
export type TarEntry = TarHeader;

export interface EntryBody {
  write(chunk: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** Refuses an entry by throwing; returns where a file's content goes (nothing: the content is skipped). */
export type EntryHandler = (entry: TarEntry) => Promise<EntryBody | undefined>;

// Long names and pax records are small; a bigger one is an attack on memory, not a file name.
const META_LIMIT = 1 << 20;

type State =
  | { at: 'header' }
  | { at: 'body'; remaining: number; size: number; body: EntryBody | undefined }
  | { at: 'meta'; remaining: number; header: TarHeader; chunks: Buffer[] }
  | { at: 'end' };

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function cString(body: Buffer): string {
  const end = body.indexOf(0);
  return body.subarray(0, end === -1 ? body.length : end).toString('utf8');
}

export class TarReader extends Writable {
  #state: State = { at: 'header' };
  #skip = 0;
  #pending = Buffer.alloc(0);
  #longName: string | undefined;
  #longLink: string | undefined;
  #pax = new Map<string, string>();

  constructor(private readonly handler: EntryHandler) {
    super();
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    this.#consume(chunk).then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    done(this.#state.at === 'end' ? null : new ArchiveError('the archive ended early'));
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    const state = this.#state;
    const open = state.at === 'body' ? state.body?.close() : undefined;
    Promise.resolve(open)
      .catch(() => undefined)
      .then(() => done(error));
  }

  async #consume(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length && this.#state.at !== 'end') {
      const state = this.#state;
      if (this.#skip > 0) {
        const skipped = Math.min(this.#skip, chunk.length - offset);
        this.#skip -= skipped;
        offset += skipped;
      } else if (state.at === 'header') {
        const piece = chunk.subarray(offset, offset + BLOCK - this.#pending.length);
        offset += piece.length;
        this.#pending = Buffer.concat([this.#pending, piece]);
        if (this.#pending.length === BLOCK) {
          const block = this.#pending;
          this.#pending = Buffer.alloc(0);
          await this.#onHeader(block);
        }
      } else if (state.at === 'body' || state.at === 'meta') {
        const piece = chunk.subarray(offset, offset + state.remaining);
        offset += piece.length;
        state.remaining -= piece.length;
        if (state.at === 'body') await state.body?.write(piece);
        else state.chunks.push(Buffer.from(piece));
        if (state.remaining === 0) await this.#finish(state);
      }
    }
  }

  async #onHeader(block: Buffer): Promise<void> {
    if (isZeroBlock(block)) {
      this.#state = { at: 'end' };
      return;
    }
    const header = parseHeader(block);
    if (['long name', 'long link name', 'pax header', 'pax global header'].includes(header.kind)) {
      if (header.size > META_LIMIT)
        throw new ArchiveError(`a ${header.kind} of ${header.size} bytes in the archive`);
      this.#state = { at: 'meta', remaining: header.size, header, chunks: [] };
    } else {
      const entry = this.#entry(header);
      this.#state = {
        at: 'body',
        remaining: entry.size,
        size: entry.size,
        body: await this.handler(entry),
      };
    }
    const state = this.#state;
    if ((state.at === 'body' || state.at === 'meta') && state.remaining === 0)
      await this.#finish(state);
  }

  /** The entry a header describes, with the long names and pax records that preceded it, then forgets those. */
  #entry(header: TarHeader): TarEntry {
    const paxSize = this.#pax.get('size');
    if (paxSize !== undefined && !/^\d+$/.test(paxSize))
      throw new ArchiveError(`bad pax size '${paxSize}'`);
    const entry: TarEntry = {
      ...header,
      name: this.#pax.get('path') ?? this.#longName ?? header.name,
      linkName: this.#pax.get('linkpath') ?? this.#longLink ?? header.linkName,
      size: paxSize === undefined ? header.size : Number(paxSize),
    };
    this.#longName = this.#longLink = undefined;
    this.#pax = new Map();
    return entry;
  }

  async #finish(state: State): Promise<void> {
    if (state.at === 'body') {
      this.#skip = padding(state.size);
      await state.body?.close();
    } else if (state.at === 'meta') {
      this.#skip = padding(state.header.size);
      const body = Buffer.concat(state.chunks);
      if (state.header.kind === 'long name') this.#longName = cString(body);
      else if (state.header.kind === 'long link name') this.#longLink = cString(body);
      else if (state.header.kind === 'pax header') this.#pax = parsePax(body);
    }
    this.#state = { at: 'header' };
  }
}
