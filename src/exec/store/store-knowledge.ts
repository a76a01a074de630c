import { readdirSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { fingerprint } from '../../cas/file-version.js';

// What this process has seen an instance's store hold: blobs it sent there or found there, and the
// output files it placed from there (their blobs joined the store as the step ended). The agent
// lives as long as the project's build, so this covers what one machine did with the store.
//
// A step whose new inputs are all unknown here sends them without asking the store first: new
// content is new content, and the question costs an exec. The knowledge only ever errs one way:
// a content the store holds unbeknown to this process (another machine's, or from before the
// agent started) is sent once more, which is harmless.
//
// It also knows the trees of job folder links the instance keeps (store-scripts.ts linkScript).
//
// API: rememberHeld(instance, names), mayHold(instance, blob), rememberPlaced(baseDir, outputs),
// mayHoldTree(instance, key), rememberTree(instance, key, holds).

/** Past this many names an instance's memory starts again: it bounds the agent's memory. */
const MAX_NAMES = 1_000_000;

const held = new Map<string, Set<string>>();
/** Output files placed from a store, by absolute path: their fingerprint once placed. */
const placed = new Map<string, string>();

/** The store of `instance` (its host key) holds the blobs `names`, as of now. */
export function rememberHeld(instance: string, names: Iterable<string>): void {
  let known = held.get(instance);
  if (!known || known.size > MAX_NAMES) held.set(instance, (known = new Set()));
  for (const name of names) known.add(name);
}

/** Whether `instance` holds the tree `key` (linkScript), as far as this process knows. */
export function mayHoldTree(instance: string, key: string): boolean {
  return held.get(instance)?.has(`tree:${key}`) ?? false;
}

/** `instance` holds the tree `key` now, or (`holds` false) no longer. */
export function rememberTree(instance: string, key: string, holds: boolean): void {
  if (holds) rememberHeld(instance, [`tree:${key}`]);
  else held.get(instance)?.delete(`tree:${key}`);
}

/** Whether the store of `instance` may hold the blob `name`, read from `source` as `stats`. */
export function mayHold(
  instance: string,
  blob: { name: string; source: string; stats: BigIntStats },
): boolean {
  if (held.get(instance)?.has(blob.name)) return true;
  return placed.get(blob.source) === fingerprint(blob.stats);
}

function placedFiles(path: string): void {
  let stats: BigIntStats;
  try {
    stats = statSync(path, { bigint: true });
  } catch {
    return;
  }
  if (stats.isFile()) {
    if (placed.size > MAX_NAMES) placed.clear();
    placed.set(path, fingerprint(stats));
  } else if (stats.isDirectory()) {
    for (const name of readdirSync(path)) placedFiles(join(path, name));
  }
}

/** The step's `outputs` (relative to `baseDir`) were just placed from the instance's store. */
export function rememberPlaced(baseDir: string, outputs: readonly string[]): void {
  for (const output of outputs) placedFiles(join(baseDir, output));
}
