import type { Transport } from '../../transport/index.js';
import { keepOutputsScript } from './store-scripts.js';

/** The store's bound when the connection sets none. */
export const DEFAULT_STORE_MEGABYTES = 4096;

/**
 * After a successful step: its outputs join the instance's store, so a later step that takes them
 * as inputs sends nothing for them, and the store is trimmed to its bound. Best effort: a store
 * that cannot keep them only costs a later upload, never this step.
 */
export async function keepOutputs(
  transport: Transport,
  jobId: string,
  outputs: readonly string[],
  storeMegabytes = DEFAULT_STORE_MEGABYTES,
): Promise<void> {
  const limitBytes = storeMegabytes * 1024 * 1024;
  await transport.exec(keepOutputsScript(jobId, outputs, limitBytes)).catch(() => undefined);
}
