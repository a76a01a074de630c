import { rmSync } from 'node:fs';
import { HashCache } from '../cas/hash-cache.js';
import { buildInputTree, folderAt } from '../cas/input-tree.js';
import { placeOutputs } from '../exec/job/place-outputs.js';
import { UserError } from '../util/user-error.js';
import { actionBlobs, actionOutputs, type StepAction } from './action-blobs.js';
import { engineCapabilities, type EngineCapabilities } from './capabilities.js';
import type { Engine } from './engine.js';
import { cachedResult, execute, MissingInputs } from './execute-action.js';
import { fetchOutputs } from './fetch-outputs.js';
import { merkleTree } from './merkle-tree.js';
import type { ActionResult, ExecuteResponse } from './messages.js';
import { fitsBatch, MissingBlob, readSmallBlobs, streamBlob } from './read-blobs.js';
import { InputChanged, uploadMissing, type Blob } from './upload-blobs.js';

// One step as a REAPI action: hash the inputs (unchanged files answered by the hash cache), ask
// the action cache, and only on a miss upload what the CAS lacks and Execute. The step's output
// is printed, its exit code returned unchanged, and on success its outputs are placed atomically
// (a failed step leaves the previous targets). A cache hit whose outputs the CAS has evicted
// runs the action again; an Execute that finds inputs missing uploads them and retries once.
//
// API: StepRequest, StepReport, runStepAction(engine, request, io).

export interface StepRequest extends StepAction {
  /** Relative to baseDir. */
  readonly inputs: readonly string[];
  /** A fresh folder on the project's filesystem for outputs before they are renamed into place. */
  readonly scratchDir: string;
  /** Where the digests of input files are remembered between steps. */
  readonly hashCacheFile: string;
  /** True once nobody waits for the step any more: its outputs are then not placed. */
  readonly abandoned?: () => boolean;
  /** For a depfile step: puts the depfile in place from the scratch folder, before the outputs. */
  readonly finishDepfile?: (scratchDir: string) => void;
  /** Called as the upload of the inputs the engine lacks begins; its result, with the bytes sent. */
  readonly uploading?: () => (bytes: number) => void;
}

export interface StepReport {
  readonly exitCode: number;
  readonly cacheHit: boolean;
  /** Content bytes sent to the engine's CAS. */
  readonly bytesUploaded: number;
}

interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

async function readLog(
  engine: Engine,
  capabilities: EngineCapabilities,
  raw: Buffer,
  digest: ActionResult['stdoutDigest'],
): Promise<Buffer> {
  if (raw.length > 0 || !digest || digest.sizeBytes === 0) return raw;
  if (fitsBatch(capabilities, digest)) {
    return [...(await readSmallBlobs(engine, capabilities, [digest])).values()][0]!;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of streamBlob(engine, digest)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Prints the action's output and places its outputs. Everything is fetched before anything is
 * printed, so a result whose blobs the CAS lost (MissingBlob) can be run again without the
 * user seeing its output twice.
 */
async function deliver(
  engine: Engine,
  capabilities: EngineCapabilities,
  request: StepRequest,
  result: ActionResult,
  io: Io,
): Promise<void> {
  const { scratchDir, outputs, baseDir } = request;
  try {
    const stdout = await readLog(engine, capabilities, result.stdoutRaw, result.stdoutDigest);
    const stderr = await readLog(engine, capabilities, result.stderrRaw, result.stderrDigest);
    const succeeded = result.exitCode === 0 && outputs.length > 0;
    const fetched = succeeded
      ? await fetchOutputs(engine, capabilities, result, scratchDir, actionOutputs(request))
      : [];
    // A depfile not written is the depfile's own message, from finishDepfile.
    const missing = fetched.filter((path) => outputs.includes(path));
    io.stdout.write(stdout);
    io.stderr.write(stderr);
    if (missing.length > 0) {
      const plural = missing.length > 1 ? 's' : '';
      const named = missing.map((path) => `'${path}'`).join(', ');
      throw new UserError(
        `the command succeeded but did not produce declared output${plural} ${named}`,
      );
    }
    if (succeeded && !request.abandoned?.()) {
      request.finishDepfile?.(scratchDir);
      placeOutputs(scratchDir, baseDir, outputs);
    }
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

async function executeWithInputs(
  engine: Engine,
  capabilities: EngineCapabilities,
  blobs: Blob[],
  action: StepReportAction,
): Promise<{ response: ExecuteResponse; uploaded: number }> {
  const upload = async () => {
    const done = action.uploading?.();
    const bytes = await uploadMissing(engine, capabilities, blobs);
    done?.(bytes);
    return bytes;
  };
  let uploaded = await upload();
  try {
    return { response: await execute(engine, action.digest, action.skipCache), uploaded };
  } catch (error) {
    if (!(error instanceof MissingInputs)) throw error;
    // The CAS dropped blobs between our upload and the execution: send them again, once.
    uploaded += await upload();
    try {
      return { response: await execute(engine, action.digest, action.skipCache), uploaded };
    } catch (again) {
      if (!(again instanceof MissingInputs)) throw again;
      throw new UserError(
        `remote execution: engine ${engine.endpoint} keeps losing the action's inputs: ${again.message}`,
      );
    }
  }
}

interface StepReportAction {
  digest: ReturnType<typeof actionBlobs>['action'];
  skipCache: boolean;
  uploading: StepRequest['uploading'];
}

export async function runStepAction(
  engine: Engine,
  request: StepRequest,
  io: Io,
): Promise<StepReport> {
  const capabilities = await engineCapabilities(engine);
  const hashes = HashCache.load(request.hashCacheFile);
  const tree = await buildInputTree(request.baseDir, request.inputs, (path) => hashes.digest(path));
  hashes.save();
  folderAt(tree, request.workDir);
  const inputs = merkleTree(tree);
  const { action, blobs } = actionBlobs(request, inputs.root, capabilities);
  // A failure is never taken from the cache: it may have been a flake, so it runs again.
  const cached = await cachedResult(engine, action);
  const hit = cached?.exitCode === 0 ? cached : undefined;
  if (hit) {
    try {
      await deliver(engine, capabilities, request, hit, io);
      return { exitCode: hit.exitCode, cacheHit: true, bytesUploaded: 0 };
    } catch (error) {
      if (!(error instanceof MissingBlob)) throw error;
    }
  }
  const all: Blob[] = [...inputs.blobs.values(), ...blobs];
  const { response, uploaded } = await executeWithInputs(engine, capabilities, all, {
    digest: action,
    skipCache: cached !== undefined,
    uploading: request.uploading,
  }).catch((error: unknown) => {
    // The next step must hash the file again rather than trust the digest that proved wrong.
    if (error instanceof InputChanged) {
      hashes.forget(error.path);
      hashes.save();
    }
    throw error;
  });
  const { result } = response;
  const timedOut = response.status !== null && response.status.code !== 0;
  if (result) {
    try {
      await deliver(engine, capabilities, request, result, io);
    } catch (error) {
      if (!(error instanceof MissingBlob)) throw error;
      throw new UserError(
        `remote execution: engine ${engine.endpoint} lost output blob ${error.message} just made`,
      );
    }
  }
  if (timedOut) {
    const after = request.timeoutSeconds ? ` after ${request.timeoutSeconds} s` : '';
    throw new UserError(`remote execution: the action timed out${after} on ${engine.endpoint}`);
  }
  if (!result) throw new UserError(`remote execution: engine ${engine.endpoint} sent no result`);
  return { exitCode: result.exitCode, cacheHit: response.cachedResult, bytesUploaded: uploaded };
}
