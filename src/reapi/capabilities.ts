import { UserError } from '../util/user-error.js';
import { MAX_MESSAGE_BYTES, type Engine } from './engine.js';

// What the client needs to know of an engine before sending anything: that it hashes with
// SHA-256 and executes actions, how large a batch of blobs may be, and whether it speaks
// REAPI 2.1's output_paths (older engines need output_files/output_directories instead).
//
// API: EngineCapabilities, engineCapabilities(engine).

export interface EngineCapabilities {
  /** Total bytes of blobs in one BatchUpdateBlobs or BatchReadBlobs. */
  readonly maxBatchBytes: number;
  readonly outputPaths: boolean;
}

interface SemVer {
  major: number;
  minor: number;
}

interface ServerCapabilities {
  cacheCapabilities: { digestFunction: string[]; maxBatchTotalSizeBytes: number } | null;
  executionCapabilities: { digestFunction: string; execEnabled: boolean } | null;
  highApiVersion: SemVer | null;
}

const known = new WeakMap<Engine, Promise<EngineCapabilities>>();

/** Asked once per channel: an agent serving a whole build pays for it once. */
export function engineCapabilities(engine: Engine): Promise<EngineCapabilities> {
  let capabilities = known.get(engine);
  if (!capabilities) {
    capabilities = askCapabilities(engine);
    known.set(engine, capabilities);
    capabilities.catch(() => known.delete(engine));
  }
  return capabilities;
}

async function askCapabilities(engine: Engine): Promise<EngineCapabilities> {
  const answer = await engine.unary<ServerCapabilities>('Capabilities', 'GetCapabilities', {
    instanceName: engine.instanceName,
  });
  const prefix = `remote execution: engine ${engine.endpoint}`;
  const cache = answer.cacheCapabilities;
  const execution = answer.executionCapabilities;
  if (!execution?.execEnabled) throw new UserError(`${prefix} does not execute actions`);
  const hashes = cache?.digestFunction ?? [];
  // Before digest functions were listed, SHA-256 was the only one; an empty list means it.
  if (hashes.length > 0 && !hashes.includes('SHA256')) {
    throw new UserError(`${prefix} does not hash with SHA-256 (it offers ${hashes.join(', ')})`);
  }
  const advertised = cache?.maxBatchTotalSizeBytes ?? 0;
  const version = answer.highApiVersion;
  return {
    maxBatchBytes: advertised > 0 ? Math.min(advertised, MAX_MESSAGE_BYTES) : MAX_MESSAGE_BYTES,
    outputPaths:
      version !== null && (version.major > 2 || (version.major === 2 && version.minor >= 1)),
  };
}
