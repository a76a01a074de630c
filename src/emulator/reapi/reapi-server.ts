import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  Server,
  ServerCredentials,
  status,
  type Metadata,
  type ServerErrorResponse,
  type ServerReadableStream,
  type handleUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { digestKey, type Digest } from '../../cas/digest.js';
import type { ExecuteResponse, Operation } from '../../reapi/messages.js';
import { encodeMessage, REAPI, serviceDefinition } from '../../reapi/protos.js';
import { loadAction, MissingInput, runAction } from './action-runner.js';
import { BlobStore, InvalidBlob, validDigest } from './blob-store.js';

// A Remote Execution API engine for tests, on the real service definitions over real gRPC on
// 127.0.0.1: Capabilities, CAS, ByteStream, ActionCache and Execution (each action run with its
// own command in a fresh temporary folder). Like the emulated cloud, it logs every call and
// takes faults: streams dropped mid-action, an input root evicted before Execute, calls answered
// RESOURCE_EXHAUSTED, credentials refused.
//
// API: ReapiServerOptions, Faults, ReapiServer, startReapiServer(options).

export interface ReapiServerOptions {
  readonly instanceName?: string;
  /** Advertised and enforced limit of a batch of blobs; smaller sends more through ByteStream. */
  readonly maxBatchBytes?: number;
  /** Minor version of REAPI 2 spoken: below 1, output_files/output_directories are read. */
  readonly apiMinor?: number;
}

export interface Faults {
  /** Execute or WaitExecution streams ended with UNAVAILABLE once the action has started. */
  dropStreams: number;
  /** Executes that find the input root evicted from the CAS (answered FAILED_PRECONDITION). */
  loseInputRoot: number;
  /** Calls answered RESOURCE_EXHAUSTED (only those of `exhaustedMethod` when set). */
  exhausted: number;
  exhaustedMethod?: string;
  /** Blobs sent by BatchReadBlobs or ByteStream Read with their first byte changed. */
  corruptReads: number;
  /** When set, calls without this header value are answered UNAUTHENTICATED. */
  requiredHeader?: { name: string; value: string };
}

export interface ReapiServer {
  /** `grpc://127.0.0.1:port` */
  readonly endpoint: string;
  readonly store: BlobStore;
  readonly faults: Faults;
  /** Method names in the order calls arrived. */
  readonly calls: string[];
  /** The client address (`127.0.0.1:port`) of each call: one per gRPC connection. */
  readonly peers: Set<string>;
  /** executionMs: time spent running actions (laying out, running, storing outputs), summed. */
  readonly stats: { blobsUploaded: number; executions: number; executionMs: number };
  close(): Promise<void>;
}

/** What `admit` reads of any call: its peer and its request headers. */
interface Call {
  getPeer(): string;
  metadata: Metadata;
}

const MiB = 1024 * 1024;
const READ_CHUNK = 64 * 1024;
const EXECUTE_RESPONSE = `${REAPI}.ExecuteResponse`;

function failure(code: status, details: string): ServerErrorResponse {
  return Object.assign(new Error(details), { code, details });
}

function packAny(typeName: string, message: object) {
  return { typeUrl: `type.googleapis.com/${typeName}`, value: encodeMessage(typeName, message) };
}

function executing(name: string, action: Digest, stage: string): Operation {
  const metadata = packAny(`${REAPI}.ExecuteOperationMetadata`, { stage, actionDigest: action });
  return { name, done: false, metadata };
}

function finished(name: string, response: ExecuteResponse): Operation {
  return { name, done: true, response: packAny(EXECUTE_RESPONSE, response) };
}

/** The answer to an action whose inputs the CAS lacks: the client should upload and retry. */
function missingInputs(name: string, error: MissingInput): Operation {
  const rpc = { code: status.FAILED_PRECONDITION, message: `missing ${error.message}` };
  return finished(name, { result: null, cachedResult: false, status: rpc, message: '' });
}

export async function startReapiServer(options: ReapiServerOptions = {}): Promise<ReapiServer> {
  const instance = options.instanceName ?? '';
  const maxBatchBytes = options.maxBatchBytes ?? 4 * MiB;
  const store = new BlobStore();
  const faults: Faults = { dropStreams: 0, loseInputRoot: 0, exhausted: 0, corruptReads: 0 };

  /** `data` as the client gets it: changed while the corruptReads fault lasts. */
  function served(data: Buffer): Buffer {
    if (faults.corruptReads <= 0 || data.length === 0) return data;
    faults.corruptReads--;
    const copy = Buffer.from(data);
    copy[0] = copy[0]! ^ 0xff;
    return copy;
  }
  const calls: string[] = [];
  const peers = new Set<string>();
  const stats = { blobsUploaded: 0, executions: 0, executionMs: 0 };
  const operations = new Map<string, Promise<Operation>>();
  const stopping = new AbortController();
  setMaxListeners(0, stopping.signal); // one listener per running action

  /** What every call meets first: the log, the credentials check, the busy fault, the instance. */
  function admit(call: Call, method: string, request?: { instanceName?: string }) {
    calls.push(method);
    peers.add(call.getPeer());
    const metadata = call.metadata;
    const header = faults.requiredHeader;
    if (header && metadata.get(header.name)[0] !== header.value) {
      return failure(status.UNAUTHENTICATED, `missing or wrong ${header.name}`);
    }
    if (faults.exhausted > 0 && (!faults.exhaustedMethod || faults.exhaustedMethod === method)) {
      faults.exhausted--;
      return failure(status.RESOURCE_EXHAUSTED, 'too many requests (test fault)');
    }
    if (request?.instanceName !== undefined && request.instanceName !== instance) {
      return failure(status.INVALID_ARGUMENT, `unknown instance '${request.instanceName}'`);
    }
    return undefined;
  }

  function unary<Request extends object>(
    method: string,
    answer: (request: Request) => object,
  ): handleUnaryCall<Request, object> {
    return (call, callback) => {
      const refused = admit(call, method, call.request);
      if (refused) return callback(refused);
      try {
        callback(null, answer(call.request));
      } catch (error) {
        callback(error as ServerErrorResponse);
      }
    };
  }

  function checkDigests(digests: (Digest | null)[]): Digest[] {
    if (!digests.every(validDigest)) throw failure(status.INVALID_ARGUMENT, 'invalid digest');
    return digests as Digest[];
  }

  const capabilities = {
    GetCapabilities: unary('GetCapabilities', () => ({
      cacheCapabilities: {
        digestFunction: ['SHA256'],
        actionCacheUpdateCapabilities: { updateEnabled: false },
        maxBatchTotalSizeBytes: maxBatchBytes,
        symlinkAbsolutePathStrategy: 'DISALLOWED',
      },
      executionCapabilities: { digestFunction: 'SHA256', execEnabled: true },
      lowApiVersion: { major: 2 },
      highApiVersion: { major: 2, minor: options.apiMinor ?? 2 },
    })),
  };

  const cas = {
    FindMissingBlobs: unary('FindMissingBlobs', (request: { blobDigests: Digest[] }) => ({
      missingBlobDigests: checkDigests(request.blobDigests).filter((d) => !store.has(d)),
    })),
    BatchUpdateBlobs: unary(
      'BatchUpdateBlobs',
      (request: { requests: { digest: Digest; data: Buffer }[] }) => {
        const total = request.requests.reduce((sum, r) => sum + r.data.length, 0);
        if (total > maxBatchBytes) {
          throw failure(status.INVALID_ARGUMENT, `batch of ${total} bytes over ${maxBatchBytes}`);
        }
        const responses = request.requests.map(({ digest, data }) => {
          try {
            store.put(checkDigests([digest])[0]!, data);
            stats.blobsUploaded++;
            return { digest, status: { code: 0 } };
          } catch (error) {
            return { digest, status: { code: status.INVALID_ARGUMENT, message: String(error) } };
          }
        });
        return { responses };
      },
    ),
    BatchReadBlobs: unary('BatchReadBlobs', (request: { digests: Digest[] }) => ({
      responses: checkDigests(request.digests).map((digest) => {
        const data = store.get(digest);
        return data
          ? { digest, data: served(data), status: { code: 0 } }
          : {
              digest,
              status: { code: status.NOT_FOUND, message: `${digestKey(digest)} not found` },
            };
      }),
    })),
    GetTree: (call: ServerWritableStream<object, object>) =>
      call.emit('error', failure(status.UNIMPLEMENTED, 'GetTree is not implemented')),
  };

  const actionCache = {
    GetActionResult: unary(
      'GetActionResult',
      (request: { actionDigest: Digest; inlineStdout: boolean; inlineStderr: boolean }) => {
        const result = store.cachedResult(checkDigests([request.actionDigest])[0]!);
        if (!result) throw failure(status.NOT_FOUND, 'no cached result');
        const inline = (wanted: boolean, digest: Digest | null) =>
          (wanted && digest && store.get(digest)) || Buffer.alloc(0);
        return {
          ...result,
          stdoutRaw: inline(request.inlineStdout, result.stdoutDigest),
          stderrRaw: inline(request.inlineStderr, result.stderrDigest),
        };
      },
    ),
    UpdateActionResult: unary('UpdateActionResult', () => {
      throw failure(status.PERMISSION_DENIED, 'clients may not write the action cache');
    }),
  };

  const uploadName = new RegExp(
    `^${instance ? `${instance}/` : ''}uploads/[0-9a-f-]{36}/blobs/([0-9a-f]{64})/(\\d+)$`,
  );
  const readName = new RegExp(`^${instance ? `${instance}/` : ''}blobs/([0-9a-f]{64})/(\\d+)$`);

  const byteStream = {
    Read(call: ServerWritableStream<{ resourceName: string }, object>) {
      const refused = admit(call, 'Read');
      if (refused) return call.emit('error', refused);
      const match = readName.exec(call.request.resourceName);
      if (!match) {
        return call.emit('error', failure(status.INVALID_ARGUMENT, 'bad resource name'));
      }
      const stored = store.get({ hash: match[1]!, sizeBytes: Number(match[2]) });
      const data = stored && served(stored);
      if (!data) return call.emit('error', failure(status.NOT_FOUND, 'blob not found'));
      for (let at = 0; at < data.length; at += READ_CHUNK) {
        call.write({ data: data.subarray(at, at + READ_CHUNK) });
      }
      call.end();
    },
    Write(
      call: ServerReadableStream<
        { resourceName: string; writeOffset: number; finishWrite: boolean; data: Buffer },
        object
      >,
      callback: sendUnaryData<object>,
    ) {
      const refused = admit(call, 'Write');
      if (refused) return callback(refused);
      const chunks: Buffer[] = [];
      let digest: Digest | undefined;
      let size = 0;
      let finished = false;
      let failed = false;
      const fail = (details: string) => {
        if (!failed) callback(failure(status.INVALID_ARGUMENT, details));
        failed = true;
      };
      call.on('data', (request) => {
        if (failed) return;
        if (!digest) {
          const match = uploadName.exec(request.resourceName);
          if (!match) return fail(`bad resource name '${request.resourceName}'`);
          digest = { hash: match[1]!, sizeBytes: Number(match[2]) };
        }
        if (finished) return fail('write after finish_write');
        if (request.writeOffset !== size)
          return fail(`write_offset ${request.writeOffset} != ${size}`);
        chunks.push(request.data);
        size += request.data.length;
        finished = request.finishWrite;
      });
      call.on('end', () => {
        if (failed) return;
        if (!digest || !finished) return fail('stream ended before finish_write');
        try {
          store.put(digest, Buffer.concat(chunks));
        } catch (error) {
          return fail(String((error as Error).message));
        }
        stats.blobsUploaded++;
        callback(null, { committedSize: size });
      });
    },
    QueryWriteStatus: unary('QueryWriteStatus', () => {
      throw failure(status.UNIMPLEMENTED, 'QueryWriteStatus is not implemented');
    }),
  };

  function startExecution(name: string, actionDigest: Digest): Promise<Operation> {
    const { action, command } = loadAction(store, actionDigest);
    const started = performance.now();
    const running = runAction(
      store,
      action,
      command,
      (options.apiMinor ?? 2) >= 1,
      stopping.signal,
    ).then(
      ({ result, timedOut }) => {
        stats.executions++;
        stats.executionMs += performance.now() - started;
        if (result.exitCode === 0 && !timedOut && !action.doNotCache) {
          store.cacheResult(actionDigest, result);
        }
        const status_ = timedOut
          ? { code: status.DEADLINE_EXCEEDED, message: 'action timed out' }
          : null;
        return finished(name, { result, cachedResult: false, status: status_, message: '' });
      },
      (error: unknown) => {
        if (!(error instanceof MissingInput)) throw error;
        return missingInputs(name, error);
      },
    );
    operations.set(name, running);
    return running;
  }

  /** Streams `operation` to its end, unless a fault drops the stream while it runs. */
  async function follow(call: ServerWritableStream<object, object>, name: string, action: Digest) {
    const operation = operations.get(name)!;
    call.write(executing(name, action, 'EXECUTING'));
    if (faults.dropStreams > 0) {
      faults.dropStreams--;
      return call.emit('error', failure(status.UNAVAILABLE, 'stream dropped (test fault)'));
    }
    try {
      call.write(await operation);
      call.end();
    } catch (error) {
      call.emit('error', failure(status.INTERNAL, String(error)));
    }
  }

  const actionsOf = new Map<string, Digest>();
  const execution = {
    Execute(
      call: ServerWritableStream<
        { instanceName: string; actionDigest: Digest; skipCacheLookup: boolean },
        object
      >,
    ) {
      const refused = admit(call, 'Execute', call.request);
      if (refused) return call.emit('error', refused);
      const { actionDigest, skipCacheLookup } = call.request;
      if (!validDigest(actionDigest)) {
        return call.emit('error', failure(status.INVALID_ARGUMENT, 'invalid action digest'));
      }
      const name = `${instance ? `${instance}/` : ''}operations/${randomUUID()}`;
      const cached = skipCacheLookup ? undefined : store.cachedResult(actionDigest);
      if (cached) {
        call.write(
          finished(name, { result: cached, cachedResult: true, status: null, message: '' }),
        );
        return call.end();
      }
      if (faults.loseInputRoot > 0) {
        faults.loseInputRoot--;
        const action = store.get(actionDigest);
        if (action) store.forget(loadAction(store, actionDigest).action.inputRootDigest);
      }
      try {
        startExecution(name, actionDigest);
      } catch (error) {
        if (error instanceof MissingInput) {
          call.write(missingInputs(name, error));
          return call.end();
        }
        const code = error instanceof InvalidBlob ? status.INVALID_ARGUMENT : status.INTERNAL;
        return call.emit('error', failure(code, String((error as Error).message)));
      }
      actionsOf.set(name, actionDigest);
      void follow(call, name, actionDigest);
    },
    WaitExecution(call: ServerWritableStream<{ name: string }, object>) {
      const refused = admit(call, 'WaitExecution');
      if (refused) return call.emit('error', refused);
      const action = actionsOf.get(call.request.name);
      if (!action) return call.emit('error', failure(status.NOT_FOUND, 'no such operation'));
      void follow(call, call.request.name, action);
    },
  };

  const server = new Server();
  server.addService(serviceDefinition(`${REAPI}.Capabilities`), capabilities);
  server.addService(serviceDefinition(`${REAPI}.ContentAddressableStorage`), cas);
  server.addService(serviceDefinition(`${REAPI}.ActionCache`), actionCache);
  server.addService(serviceDefinition(`${REAPI}.Execution`), execution);
  server.addService(serviceDefinition('google.bytestream.ByteStream'), byteStream);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    endpoint: `grpc://127.0.0.1:${port}`,
    store,
    faults,
    calls,
    peers,
    stats,
    close: async () => {
      stopping.abort();
      await Promise.allSettled(operations.values());
      server.forceShutdown();
    },
  };
}
