import { createHash } from 'node:crypto';
import { digestKey, digestOfBuffer, type Digest } from '../../cas/digest.js';
import type { ActionResult } from '../../reapi/messages.js';
import { decodeMessage, encodeCanonical, REAPI } from '../../reapi/protos.js';

// The test engine's storage: the CAS (blobs by digest, in memory) and the action cache. It
// checks what a strict engine checks: digests well formed, content matching its digest, and
// Directory/Command/Action messages in canonical form, so client bugs surface here rather than
// against a real engine.
//
// API: BlobStore (has, get, put, forget, cachedResult, cacheResult, decodeCanonical),
// validDigest, InvalidBlob.

const HASH = /^[0-9a-f]{64}$/;

export class InvalidBlob extends Error {}

export function validDigest(digest: Digest | null | undefined): digest is Digest {
  return (
    digest !== null &&
    digest !== undefined &&
    HASH.test(digest.hash) &&
    Number.isSafeInteger(digest.sizeBytes) &&
    digest.sizeBytes >= 0
  );
}

export class BlobStore {
  private readonly blobs = new Map<string, Buffer>();
  private readonly results = new Map<string, ActionResult>();

  has(digest: Digest): boolean {
    return digest.sizeBytes === 0 || this.blobs.has(digestKey(digest));
  }

  get(digest: Digest): Buffer | undefined {
    return digest.sizeBytes === 0 ? Buffer.alloc(0) : this.blobs.get(digestKey(digest));
  }

  /** Stores `data` under `digest`, refusing content that does not match it. */
  put(digest: Digest, data: Buffer): void {
    const hash = createHash('sha256').update(data).digest('hex');
    if (hash !== digest.hash || data.length !== digest.sizeBytes) {
      throw new InvalidBlob(`content does not match digest ${digestKey(digest)}`);
    }
    this.blobs.set(digestKey(digest), data);
  }

  /** Stores `data` under its own digest. */
  add(data: Buffer): Digest {
    const digest = digestOfBuffer(data);
    this.blobs.set(digestKey(digest), data);
    return digest;
  }

  /** Drops a blob, as an engine evicting it would. */
  forget(digest: Digest): void {
    this.blobs.delete(digestKey(digest));
  }

  cachedResult(action: Digest): ActionResult | undefined {
    return this.results.get(digestKey(action));
  }

  cacheResult(action: Digest, result: ActionResult): void {
    this.results.set(digestKey(action), result);
  }

  /** The message of type `name` in blob `digest`; throws InvalidBlob unless it is canonical. */
  decodeCanonical<T extends object>(name: 'Action' | 'Command' | 'Directory', digest: Digest): T {
    const data = this.get(digest);
    if (!data) throw new InvalidBlob(`missing ${name} blob ${digestKey(digest)}`);
    const message = decodeMessage<T>(`${REAPI}.${name}`, data);
    if (!encodeCanonical(`${REAPI}.${name}`, message).equals(data)) {
      throw new InvalidBlob(`${name} ${digestKey(digest)} is not in canonical form`);
    }
    return message;
  }
}
