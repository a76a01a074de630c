import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

// A blob's identity as REAPI defines it: the lowercase hex SHA-256 of its bytes and their count.
// Files are hashed through one reused buffer, so a 200 MB input never sits in memory at once;
// the size is the count of bytes actually hashed, never a stat taken before or after.
//
// API: Digest, digestOfBuffer(bytes), digestOfFile(path), digestOfHandle(handle),
// digestOfDescriptorSync(fd), digestKey(digest).

export interface Digest {
  /** Lowercase hex SHA-256, 64 characters. */
  readonly hash: string;
  readonly sizeBytes: number;
}

const CHUNK_BYTES = 1 << 20;

export function digestOfBuffer(bytes: Uint8Array): Digest {
  return { hash: createHash('sha256').update(bytes).digest('hex'), sizeBytes: bytes.length };
}

/**
 * Hashes what `handle` holds from its start, reading it sequentially. `expectedBytes` (its size at
 * a stat) sizes the buffer: a thousand 4 KB inputs must not allocate a megabyte each.
 */
export async function digestOfHandle(
  handle: FileHandle,
  expectedBytes = CHUNK_BYTES,
): Promise<Digest> {
  const hash = createHash('sha256');
  // One byte more than expected, so a file read whole needs no second read to see its end.
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(expectedBytes + 1, 4096)));
  let sizeBytes = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, sizeBytes);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    sizeBytes += bytesRead;
  }
  return { hash: hash.digest('hex'), sizeBytes };
}

/**
 * Like digestOfHandle, synchronously, for small files: a thousand 4 KB inputs cost five thread-pool
 * round trips each through a handle (open, stat, read, stat, close), ten times the reads themselves.
 */
export function digestOfDescriptorSync(fd: number, expectedBytes: number): Digest {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(expectedBytes + 1, 4096)));
  let sizeBytes = 0;
  for (;;) {
    const bytesRead = readSync(fd, buffer, 0, buffer.length, sizeBytes);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    sizeBytes += bytesRead;
  }
  return { hash: hash.digest('hex'), sizeBytes };
}

export async function digestOfFile(path: string): Promise<Digest> {
  const handle = await open(path, 'r');
  try {
    return await digestOfHandle(handle, (await handle.stat()).size);
  } finally {
    await handle.close();
  }
}

/** `hash/size`, the form REAPI resource names use; a key for maps and sets of blobs. */
export function digestKey(digest: Digest): string {
  return `${digest.hash}/${digest.sizeBytes}`;
}
