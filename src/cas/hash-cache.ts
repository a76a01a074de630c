import { closeSync, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { UserError } from '../util/user-error.js';
import { digestOfDescriptorSync, digestOfHandle, type Digest } from './digest.js';
import { fingerprint } from './file-version.js';

// Digests of local files, remembered across processes so an unchanged file is never read twice.
// A file counts as unchanged while its device, inode, size, mtime and ctime (nanoseconds) stay
// the same; ctime catches tools that restore an old mtime after writing.
//
// Racy files: a write in the same clock tick as our read can leave every stat field unchanged, so
// a file whose mtime or ctime is within `racyMarginMs` of the moment we read it is not remembered
// (git's "racily clean" rule); it is simply hashed again next time, by then long past the margin.
//
// Many processes share one cache file (every step of a parallel build): each loads it, and save()
// merges what is on disk at that moment with what it learnt, then renames a new file into place.
// A concurrent save may drop the other's newest entries, which only costs a re-read later. A torn,
// foreign or garbage file reads as an empty cache.
//
// A long-lived process (the agent, serving every step of a project) keeps the last content it read
// or wrote of each cache file, and parses the file again only when its own stat says it changed:
// planning a step of a thousand unchanged inputs then costs their stats and nothing more.
//
// API: HashCache.load(file, options), cache.digest(path), cache.forget(path), cache.save(),
// cache.filesRead, cache.wasRead(path).

const FORMAT = 'scons-remote-hash-cache-1';
const HASH = /^[0-9a-f]{64}$/;
const STABLE_READ_ATTEMPTS = 3;
/** Files up to this size are read synchronously (see digestOfDescriptorSync). */
const SYNC_READ_BYTES = 256n * 1024n;

export interface HashCacheOptions {
  /** How close to the read a change may be and still go unseen by stat; default 1000 ms. */
  readonly racyMarginMs?: number;
}

/** path → [fingerprint, hash]; anything malformed in `text` is dropped, not trusted. */
function parseEntries(text: string): Map<string, [string, string]> {
  const entries = new Map<string, [string, string]>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return entries;
  }
  if (typeof parsed !== 'object' || parsed === null) return entries;
  const { format, files } = parsed as { format?: unknown; files?: unknown };
  if (format !== FORMAT || typeof files !== 'object' || files === null) return entries;
  for (const [path, entry] of Object.entries(files)) {
    if (!Array.isArray(entry) || entry.length !== 2) continue;
    const [print, hash] = entry as unknown[];
    if (typeof print === 'string' && typeof hash === 'string' && HASH.test(hash)) {
      entries.set(path, [print, hash]);
    }
  }
  return entries;
}

type Entries = ReadonlyMap<string, [string, string]>;

/** The entries of each cache file this process last read or wrote, by the file's fingerprint then. */
const parsed = new Map<string, { print: string; entries: Entries }>();

function fileFingerprint(file: string): string | undefined {
  try {
    return fingerprint(statSync(file, { bigint: true }));
  } catch {
    return undefined;
  }
}

function readEntries(file: string): Entries {
  const print = fileFingerprint(file);
  const known = parsed.get(file);
  if (print !== undefined && known?.print === print) return known.entries;
  let entries: Entries;
  try {
    entries = parseEntries(readFileSync(file, 'utf8'));
  } catch {
    return new Map();
  }
  // A file rewritten within the same clock tick keeps its fingerprint: such a read is not kept.
  if (print !== undefined && fileFingerprint(file) === print && !racy(print)) {
    parsed.set(file, { print, entries });
  }
  return entries;
}

/** The cache file changed within the last second: a rewrite now might leave its stat unchanged. */
function racy(print: string): boolean {
  const changedNs = BigInt(print.split(':')[4]!);
  return changedNs > BigInt(Date.now() - 1000) * 1_000_000n;
}

export class HashCache {
  private readonly learnt = new Map<string, [string, string]>();
  private readonly forgotten = new Set<string>();
  private readonly readHere = new Set<string>();

  private constructor(
    private readonly file: string,
    private readonly known: Entries,
    private readonly racyMarginNs: bigint,
  ) {}

  /** The cache persisted in `file`; a missing or unreadable file gives an empty cache. */
  static load(file: string, options: HashCacheOptions = {}): HashCache {
    const marginNs = BigInt(Math.round((options.racyMarginMs ?? 1000) * 1e6));
    return new HashCache(file, readEntries(file), marginNs);
  }

  /** How many files this cache has read (not answered from memory) since it was loaded. */
  get filesRead(): number {
    return this.readHere.size;
  }

  /** Whether this cache read `path` (rather than answering from what it remembered). */
  wasRead(path: string): boolean {
    return this.readHere.has(resolve(path));
  }

  /**
   * The digest of the file at `path` (symbolic links followed), read only when it changed. `stats`:
   * its stat just taken (bigint), so that a caller that has one spares a second.
   */
  async digest(path: string, stats?: BigIntStats): Promise<Digest> {
    const absolute = resolve(path);
    // Synchronous: an unchanged file costs one stat, which the thread pool's queue would multiply.
    stats ??= statSync(absolute, { bigint: true });
    const entry =
      this.learnt.get(absolute) ??
      (this.forgotten.has(absolute) ? undefined : this.known.get(absolute));
    if (entry && entry[0] === fingerprint(stats)) {
      return { hash: entry[1], sizeBytes: Number(stats.size) };
    }
    return this.hash(absolute, stats.size);
  }

  /** Writes what this process learnt, merged with the file's current content; atomic. */
  save(): void {
    if (this.learnt.size === 0 && this.forgotten.size === 0) return;
    const merged = new Map(readEntries(this.file));
    for (const path of this.forgotten) merged.delete(path);
    for (const [path, entry] of this.learnt) merged.set(path, entry);
    const files = Object.fromEntries(merged);
    writeFileAtomic(this.file, `${JSON.stringify({ format: FORMAT, files })}\n`);
    // What was just written is what a read would give, unless another process wrote meanwhile.
    const print = fileFingerprint(this.file);
    if (print !== undefined && !racy(print)) parsed.set(this.file, { print, entries: merged });
  }

  /** Drops what is known of `path` (its content proved other than remembered); save() persists it. */
  forget(path: string): void {
    const absolute = resolve(path);
    this.learnt.delete(absolute);
    this.forgotten.add(absolute);
  }

  /** Reads the file until one read saw it unchanged from start to end. */
  private async hash(absolute: string, size: bigint): Promise<Digest> {
    for (let attempt = 0; attempt < STABLE_READ_ATTEMPTS; attempt++) {
      const startedNs = BigInt(Date.now()) * 1_000_000n;
      const read = size <= SYNC_READ_BYTES ? readSmall(absolute) : await readLarge(absolute);
      this.readHere.add(absolute);
      const { before, after, digest } = read;
      if (fingerprint(before) !== fingerprint(after)) {
        size = after.size;
        continue;
      }
      const changedNs = before.mtimeNs > before.ctimeNs ? before.mtimeNs : before.ctimeNs;
      if (changedNs < startedNs - this.racyMarginNs) {
        this.learnt.set(absolute, [fingerprint(before), digest.hash]);
      }
      return digest;
    }
    throw new UserError(`input '${absolute}' kept changing while it was being read`);
  }
}

interface StableRead {
  before: BigIntStats;
  digest: Digest;
  after: BigIntStats;
}

function readSmall(absolute: string): StableRead {
  const fd = openSync(absolute, 'r');
  try {
    const before = fstatSync(fd, { bigint: true });
    const digest = digestOfDescriptorSync(fd, Number(before.size));
    return { before, digest, after: fstatSync(fd, { bigint: true }) };
  } finally {
    closeSync(fd);
  }
}

async function readLarge(absolute: string): Promise<StableRead> {
  const handle = await open(absolute, 'r');
  try {
    const before = await handle.stat({ bigint: true });
    const digest = await digestOfHandle(handle, Number(before.size));
    return { before, digest, after: await handle.stat({ bigint: true }) };
  } finally {
    await handle.close();
  }
}
