import { createHash, randomUUID } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { once } from 'node:events';
import type { ClientWritableStream } from '@grpc/grpc-js';
import { digestKey, type Digest } from '../cas/digest.js';
import type { InputFile } from '../cas/input-tree.js';
import { UserError } from '../util/user-error.js';
import type { EngineCapabilities } from './capabilities.js';
import { withRetries } from './engine-errors.js';
import type { Engine } from './engine.js';
import type { RpcStatus } from './messages.js';

// Sends the engine the blobs it lacks: one FindMissingBlobs per 10,000 digests, then the small
// blobs packed into BatchUpdateBlobs requests under the engine's batch limit and each blob over
// it through ByteStream Write. Files are read only now, and checked against the digest they were
// announced with: a file changed since it was hashed fails the step instead of poisoning the CAS.
//
// API: Blob, InputChanged, uploadMissing(engine, capabilities, blobs) → the bytes of content sent.

export type Blob = { digest: Digest; data: Buffer } | { digest: Digest; file: InputFile };

const DIGESTS_PER_QUERY = 10_000;
/** Room for a request's fields around each blob's bytes (digest, framing). */
const PER_BLOB_OVERHEAD = 128;
const WRITE_CHUNK_BYTES = 1 << 20;
const PARALLEL_BATCHES = 4;

/** An input whose content is not what its digest says: changed since hashed, or a stale cache. */
export class InputChanged extends UserError {
  constructor(readonly path: string) {
    super(`input '${path}' changed while the step was uploading it`);
  }
}

function changed(file: InputFile): InputChanged {
  return new InputChanged(file.source);
}

async function blobData(blob: Blob): Promise<Buffer> {
  if ('data' in blob) return blob.data;
  const data = await readFile(blob.file.source);
  const hash = createHash('sha256').update(data).digest('hex');
  if (hash !== blob.digest.hash || data.length !== blob.digest.sizeBytes) throw changed(blob.file);
  return data;
}

async function findMissing(engine: Engine, digests: Digest[]): Promise<Set<string>> {
  const missing = new Set<string>();
  for (let start = 0; start < digests.length; start += DIGESTS_PER_QUERY) {
    const answer = await engine.unary<{ missingBlobDigests: Digest[] }>(
      'ContentAddressableStorage',
      'FindMissingBlobs',
      {
        instanceName: engine.instanceName,
        blobDigests: digests.slice(start, start + DIGESTS_PER_QUERY),
      },
    );
    for (const digest of answer.missingBlobDigests) missing.add(digestKey(digest));
  }
  return missing;
}

async function batchUpdate(engine: Engine, batch: Blob[]): Promise<void> {
  const requests = await Promise.all(
    batch.map(async (blob) => ({ digest: blob.digest, data: await blobData(blob) })),
  );
  const answer = await engine.unary<{ responses: { digest: Digest; status: RpcStatus | null }[] }>(
    'ContentAddressableStorage',
    'BatchUpdateBlobs',
    { instanceName: engine.instanceName, requests },
  );
  const refused = answer.responses.find((response) => (response.status?.code ?? 0) !== 0);
  if (refused) {
    throw new UserError(
      `remote execution: engine ${engine.endpoint} refused blob ${digestKey(refused.digest)}: ` +
        `${refused.status!.message || `code ${refused.status!.code}`}`,
    );
  }
}

async function* chunks(blob: Blob): AsyncGenerator<Buffer> {
  if ('data' in blob) {
    for (let offset = 0; offset < blob.data.length; offset += WRITE_CHUNK_BYTES) {
      yield blob.data.subarray(offset, offset + WRITE_CHUNK_BYTES);
    }
    return;
  }
  const handle = await open(blob.file.source, 'r');
  try {
    for (;;) {
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(WRITE_CHUNK_BYTES));
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * One blob through ByteStream Write in 1 MiB messages. One chunk is held back so the last one,
 * marked finish_write, is sent only once the whole content matched its digest.
 */
async function byteStreamWrite(engine: Engine, blob: Blob): Promise<void> {
  const { hash, sizeBytes } = blob.digest;
  const prefix = engine.instanceName ? `${engine.instanceName}/` : '';
  const resourceName = `${prefix}uploads/${randomUUID()}/blobs/${hash}/${sizeBytes}`;
  let call: ClientWritableStream<object> | undefined;
  const answer = new Promise<{ committedSize: number }>((resolve, reject) => {
    call = engine.clientStream<{ committedSize: number }>('ByteStream', 'Write', (error, done) =>
      error ? reject(error) : resolve(done!),
    );
  });
  const stream = call!;
  // The engine may answer before the last byte: with an error, or early success when it already
  // holds the blob. Either way writing stops, and no rejection goes unhandled meanwhile.
  let answered = false;
  answer.then(
    () => (answered = true),
    () => (answered = true),
  );
  const send = async (data: Buffer, writeOffset: number, finishWrite: boolean) => {
    if (answered) return;
    const first = writeOffset === 0;
    const message = { resourceName: first ? resourceName : '', writeOffset, finishWrite, data };
    if (!stream.write(message)) await Promise.race([once(stream, 'drain'), answer]);
  };
  const sha = createHash('sha256');
  let held: Buffer | undefined;
  let offset = 0;
  for await (const data of chunks(blob)) {
    if (answered) break;
    if (held) await send(held, offset - held.length, false);
    sha.update(data);
    held = data;
    offset += data.length;
  }
  if (answered) return checkCommitted(engine, blob.digest, await answer);
  if (offset !== sizeBytes || sha.digest('hex') !== hash) {
    stream.cancel();
    await answer.catch(() => undefined);
    throw changed((blob as { file: InputFile }).file);
  }
  await send(held ?? Buffer.alloc(0), offset - (held?.length ?? 0), true);
  stream.end();
  checkCommitted(engine, blob.digest, await answer);
}

function checkCommitted(engine: Engine, digest: Digest, answer: { committedSize: number }): void {
  // An engine that already held the blob may answer early, with the full size all the same.
  if (answer.committedSize === digest.sizeBytes) return;
  throw new UserError(
    `remote execution: engine ${engine.endpoint} kept ${answer.committedSize} of ` +
      `${digest.sizeBytes} bytes of blob ${digestKey(digest)}`,
  );
}

/** Small blobs grouped into batches of at most `room` bytes; the larger ones apart. */
function packBatches(blobs: Blob[], room: number): { batches: Blob[][]; large: Blob[] } {
  const batches: Blob[][] = [];
  const large: Blob[] = [];
  let bytes = Infinity;
  for (const blob of blobs) {
    const cost = blob.digest.sizeBytes + PER_BLOB_OVERHEAD;
    if (cost > room) {
      large.push(blob);
      continue;
    }
    if (bytes + cost > room) {
      batches.push([]);
      bytes = 0;
    }
    batches[batches.length - 1]!.push(blob);
    bytes += cost;
  }
  return { batches, large };
}

/** Uploads the blobs among `blobs` the engine lacks; returns the bytes of content it sent. */
export async function uploadMissing(
  engine: Engine,
  capabilities: EngineCapabilities,
  blobs: Iterable<Blob>,
): Promise<number> {
  const byKey = new Map<string, Blob>();
  for (const blob of blobs) byKey.set(digestKey(blob.digest), blob);
  const missing = await findMissing(
    engine,
    [...byKey.values()].map((blob) => blob.digest),
  );
  const toSend = [...missing].flatMap((key) => byKey.get(key) ?? []);
  // Room for the request's own fields besides the blobs.
  const { batches, large } = packBatches(toSend, capabilities.maxBatchBytes - PER_BLOB_OVERHEAD);
  const writeLarge = (blob: Blob) =>
    withRetries(() => byteStreamWrite(engine, blob)).catch((error: unknown) => {
      throw engine.failure(error, 'ByteStream Write');
    });
  const jobs = [
    ...batches.map((batch) => () => batchUpdate(engine, batch)),
    ...large.map((blob) => () => writeLarge(blob)),
  ].values();
  await Promise.all(
    Array.from({ length: PARALLEL_BATCHES }, async () => {
      for (const job of jobs) await job();
    }),
  );
  return toSend.reduce((sum, blob) => sum + blob.digest.sizeBytes, 0);
}
