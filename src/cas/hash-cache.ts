import { readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { UserError } from '../util/user-error.js';
import { digestOfHandle, type Digest } from './digest.js';

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
// API: HashCache.load(file, options), cache.digest(path), cache.forget(path), cache.save(),
// cache.filesRead.

const FORMAT = 'scons-remote-hash-cache-1';
const HASH = /^[0-9a-f]{64}$/;
const STABLE_READ_ATTEMPTS = 3;

export interface HashCacheOptions {
  /** How close to the read a change may be and still go unseen by stat; default 1000 ms. */
  readonly racyMarginMs?: number;
}

/** What identifies one version of a file without reading it. */
function fingerprint(stats: BigIntStats): string {
  return [stats.dev, stats.ino, stats.size, stats.mtimeNs, stats.ctimeNs].join(':');
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

function readEntries(file: string): Map<string, [string, string]> {
  try {
    return parseEntries(readFileSync(file, 'utf8'));
  } catch {
    return new Map();
  }
}

export class HashCache {
  private readonly learnt = new Map<string, [string, string]>();
  private readonly forgotten = new Set<string>();
  private read = 0;

  private constructor(
    private readonly file: string,
    private readonly known: Map<string, [string, string]>,
    private readonly racyMarginNs: bigint,
  ) {}

  /** The cache persisted in `file`; a missing or unreadable file gives an empty cache. */
  static load(file: string, options: HashCacheOptions = {}): HashCache {
    const marginNs = BigInt(Math.round((options.racyMarginMs ?? 1000) * 1e6));
    return new HashCache(file, readEntries(file), marginNs);
  }

  /** How many files this cache has read (not answered from memory) since it was loaded. */
  get filesRead(): number {
    return this.read;
  }

  /** The digest of the file at `path` (symbolic links followed), read only when it changed. */
  async digest(path: string): Promise<Digest> {
    const absolute = resolve(path);
    // Synchronous: an unchanged file costs one stat, which the thread pool's queue would multiply.
    const stats = statSync(absolute, { bigint: true });
    const entry = this.learnt.get(absolute) ?? this.known.get(absolute);
    if (entry && entry[0] === fingerprint(stats)) {
      return { hash: entry[1], sizeBytes: Number(stats.size) };
    }
    return this.hash(absolute);
  }

  /** Writes what this process learnt, merged with the file's current content; atomic. */
  save(): void {
    if (this.learnt.size === 0 && this.forgotten.size === 0) return;
    const merged = readEntries(this.file);
    for (const path of this.forgotten) merged.delete(path);
    for (const [path, entry] of this.learnt) merged.set(path, entry);
    const files = Object.fromEntries(merged);
    writeFileAtomic(this.file, `${JSON.stringify({ format: FORMAT, files })}\n`);
  }

  /** Drops what is known of `path` (its content proved other than remembered); save() persists it. */
  forget(path: string): void {
    const absolute = resolve(path);
    this.learnt.delete(absolute);
    this.known.delete(absolute);
    this.forgotten.add(absolute);
  }

  /** Reads the file until one read saw it unchanged from start to end. */
  private async hash(absolute: string): Promise<Digest> {
    for (let attempt = 0; attempt < STABLE_READ_ATTEMPTS; attempt++) {
      const startedNs = BigInt(Date.now()) * 1_000_000n;
      const handle = await open(absolute, 'r');
      try {
        const before = await handle.stat({ bigint: true });
        const digest = await digestOfHandle(handle, Number(before.size));
        const after = await handle.stat({ bigint: true });
        this.read++;
        if (fingerprint(before) !== fingerprint(after)) continue;
        const changedNs = before.mtimeNs > before.ctimeNs ? before.mtimeNs : before.ctimeNs;
        if (changedNs < startedNs - this.racyMarginNs) {
          this.learnt.set(absolute, [fingerprint(before), digest.hash]);
        }
        return digest;
      } finally {
        await handle.close();
      }
    }
    throw new UserError(`input '${absolute}' kept changing while it was being read`);
  }
}
