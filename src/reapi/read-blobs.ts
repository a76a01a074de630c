import { createHash } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { digestKey, type Digest } from '../cas/digest.js';
import { UserError } from '../util/user-error.js';
import type { EngineCapabilities } from './capabilities.js';
import { isServiceError } from './engine-errors.js';
import type { Engine } from './engine.js';
import type { RpcStatus } from './messages.js';

// Blobs from the engine's CAS, each checked against its digest: small ones in BatchReadBlobs
// requests under the batch limit, larger ones streamed through ByteStream Read. A blob the CAS
// no longer holds (evicted since the action ran) is a MissingBlob, which makes the caller run the
// action again rather than fail.
//
// API: MissingBlob, readSmallBlobs(engine, capabilities, digests), streamBlob(engine, digest),
// fitsBatch(capabilities, digest).

export class MissingBlob extends Error {}

const PER_BLOB_OVERHEAD = 128;

export function fitsBatch(capabilities: EngineCapabilities, digest: Digest): boolean {
  return digest.sizeBytes + 2 * PER_BLOB_OVERHEAD <= capabilities.maxBatchBytes;
}

function corrupt(engine: Engine, digest: Digest): UserError {
  return new UserError(
    `remote execution: engine ${engine.endpoint} sent blob ${digestKey(digest)} with other content`,
  );
}

function check(engine: Engine, digest: Digest, data: Buffer): Buffer {
  const hash = createHash('sha256').update(data).digest('hex');
  if (hash !== digest.hash || data.length !== digest.sizeBytes) throw corrupt(engine, digest);
  return data;
}

/** The blobs of `digests` (each fitting a batch) by digestKey. */
export async function readSmallBlobs(
  engine: Engine,
  capabilities: EngineCapabilities,
  digests: readonly Digest[],
): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const unique = [...new Map(digests.map((d) => [digestKey(d), d])).values()];
  let batch: Digest[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const answer = await engine.unary<{
      responses: { digest: Digest; data: Buffer; status: RpcStatus | null }[];
    }>('ContentAddressableStorage', 'BatchReadBlobs', {
      instanceName: engine.instanceName,
      digests: batch,
    });
    for (const { digest, data, status: rpc } of answer.responses) {
      if (rpc && rpc.code === status.NOT_FOUND) throw new MissingBlob(digestKey(digest));
      if (rpc && rpc.code !== 0) {
        throw new UserError(
          `remote execution: engine ${engine.endpoint} could not read blob ` +
            `${digestKey(digest)}: ${status[rpc.code]}: ${rpc.message}`,
        );
      }
      found.set(digestKey(digest), check(engine, digest, data));
    }
    batch = [];
    bytes = 0;
  };
  for (const digest of unique) {
    if (digest.sizeBytes === 0) {
      found.set(digestKey(digest), Buffer.alloc(0)); // the empty blob is always there, by definition
      continue;
    }
    const cost = digest.sizeBytes + PER_BLOB_OVERHEAD;
    if (bytes + cost > capabilities.maxBatchBytes - PER_BLOB_OVERHEAD) await flush();
    batch.push(digest);
    bytes += cost;
  }
  await flush();
  for (const digest of unique) {
    if (!found.has(digestKey(digest))) throw new MissingBlob(digestKey(digest));
  }
  return found;
}

/** A blob of any size through ByteStream Read, its digest checked once the last byte came. */
export async function* streamBlob(engine: Engine, digest: Digest): AsyncGenerator<Buffer> {
  const prefix = engine.instanceName ? `${engine.instanceName}/` : '';
  const resourceName = `${prefix}blobs/${digest.hash}/${digest.sizeBytes}`;
  const sha = createHash('sha256');
  let size = 0;
  try {
    const stream = engine.serverStream<{ data: Buffer }>('ByteStream', 'Read', {
      resourceName,
      readOffset: 0,
      readLimit: 0,
    });
    for await (const { data } of stream) {
      sha.update(data);
      size += data.length;
      if (size > digest.sizeBytes) throw corrupt(engine, digest);
      yield data;
    }
  } catch (error) {
    if (isServiceError(error) && error.code === status.NOT_FOUND)
      throw new MissingBlob(resourceName);
    throw engine.failure(error, 'ByteStream Read');
  }
  if (size !== digest.sizeBytes || sha.digest('hex') !== digest.hash) throw corrupt(engine, digest);
}
