import { createHash, type Hash } from 'node:crypto';
import { statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { HashCache } from '../../cas/hash-cache.js';
import { buildInputTree, treeFiles, type InputTree } from '../../cas/input-tree.js';
import { digestOfFile, type Digest } from '../../cas/digest.js';
import { unchangedSince } from '../../cas/file-version.js';
import { incomingBlob, jobInBase, storeBlob } from '../../layout/instance-home.js';
import { hashCachePath } from '../../layout/local-state.js';
import { projectPath } from '../../transport/project-path.js';
import type { Transport } from '../../transport/index.js';
import { UserError } from '../../util/user-error.js';
import type { Progress } from '../progress.js';
import { rememberedPlan, rememberPlan } from './plan-memo.js';
import {
  BLOB_MTIME,
  blobMode,
  blobName,
  LINKS_JOB_ID,
  queryAndLinkScript,
  STORE_CHANGED,
  STORE_RETRY,
  uploadScript,
  UPLOAD_SOUND,
  VERDICT_FILE,
  wantedLine,
} from './store-scripts.js';
import { tarOfHeaders, tarStream, type HeaderEntry, type TarEntry } from './tar-writer.js';

// Inputs reach the instance through its content-addressed store (the idea of REAPI's
// FindMissingBlobs, then one batch upload): hashed here through the persistent hash cache, asked
// for by the step's own start (which makes the job folder from hard links when the store has them
// all), and only the blobs the store lacks are sent, in one tar stream that also assembles the job
// folder. Blobs arrive sound (mode and mtime from the archive) and are hashed here as they are read
// for sending, so nothing on the instance reads them again. Scripts and the hard-link decision:
// store-scripts.ts; the sequence: start-step.ts.

interface Blob {
  name: string;
  digest: Digest;
  isExecutable: boolean;
  source: string;
  stats: BigIntStats;
  /** Its digest was made by reading it for this plan, not taken from the hash cache. */
  readForPlan: boolean;
}

/** A step's inputs as the instance's store sees them. */
export interface InputPlan {
  /** Every folder of the job, parents first, relative to the job folder. */
  folders: string[];
  /** Every file of the job with the blob it links to. */
  files: { path: string; blob: Blob }[];
  blobs: Map<string, Blob>;
  /** When the plan began to stat and read the inputs, nanoseconds since the epoch. */
  startedNs: bigint;
}

function folders(tree: InputTree, prefix = ''): string[] {
  return [...tree.directories].flatMap(([name, sub]) => [
    `${prefix}${name}`,
    ...folders(sub, `${prefix}${name}/`),
  ]);
}

/** How the plan found each file: its stat before its digest was made, and whether it was read. */
type Found = Map<string, { stats: BigIntStats; readForPlan: boolean }>;

function plan(tree: InputTree, startedNs: bigint, found: Found): InputPlan {
  const blobs = new Map<string, Blob>();
  const files = treeFiles(tree).map(({ path, file }) => {
    const name = blobName(file.digest, file.isExecutable);
    let blob = blobs.get(name);
    if (!blob) blobs.set(name, (blob = { name, ...file, ...found.get(file.source)! }));
    return { path, blob };
  });
  return { folders: folders(tree), files, blobs, startedNs };
}

/**
 * The job folder: its folders, then a hard link per file to the blob in the store or in `sent`.
 * Under LINKS_JOB_ID, whose folder the instance renames as it extracts, when no job is given.
 */
function* jobEntries(
  jobId: string | undefined,
  { folders, files }: InputPlan,
  sent: ReadonlySet<string>,
): Generator<HeaderEntry> {
  const job = jobInBase(jobId ?? LINKS_JOB_ID);
  yield { kind: 'directory', name: job };
  for (const folder of folders) yield { kind: 'directory', name: `${job}/${folder}` };
  for (const { path, blob } of files) {
    const target =
      jobId && sent.has(blob.name) ? incomingBlob(jobId, blob.name) : storeBlob(blob.name);
    yield { kind: 'hard link', name: `${job}/${path}`, target };
  }
}

/** The file's stat now; undefined when it is gone. */
function statOrUndefined(path: string): BigIntStats | undefined {
  try {
    return statSync(path, { bigint: true });
  } catch {
    return undefined;
  }
}

function lines(text: string): string[] {
  return text.split('\n').filter(Boolean);
}

/** A plan, and whether every digest came from the cache (so the store likely holds them all). */
export interface Planned {
  plan: InputPlan;
  cached: boolean;
}

/**
 * Hashes `inputs` (relative to `baseDir`) through the persistent hash cache, or reading every one
 * again when `reread` (a retry: a wrong digest in the cache must not fail every try). Throws the
 * step's one-line error for an input that does not exist.
 */
export async function planInputs(
  stateDir: string,
  baseDir: string,
  inputs: readonly string[],
  reread: boolean,
): Promise<Planned> {
  const key = [stateDir, baseDir, ...inputs].join('\0');
  const remembered = reread ? undefined : rememberedPlan<InputPlan>(key);
  if (remembered) return { plan: remembered, cached: true };
  const startedNs = BigInt(Date.now()) * 1_000_000n;
  const cache = reread ? undefined : HashCache.load(hashCachePath(stateDir));
  const found: Found = new Map();
  const tree = await buildInputTree(baseDir, inputs, async (path, stats) => {
    const digest = await (cache ? cache.digest(path, stats) : digestOfFile(path));
    found.set(path, { stats, readForPlan: cache?.wasRead(path) ?? true });
    return digest;
  });
  cache?.save();
  const planned = plan(tree, startedNs, found);
  const cached = cache !== undefined && cache.filesRead === 0;
  const onlyFiles = inputs.every((input) => found.has(join(baseDir, projectPath(input)!)));
  if (cached && onlyFiles) {
    const stats = new Map([...found].map(([path, { stats }]) => [path, stats]));
    rememberPlan(key, planned, stats, startedNs);
  }
  return { plan: planned, cached };
}

// The job folder's links travel gzipped: a link's tar header is mostly zeros and repeats, so a
// thousand of them take about 50 kB instead of 500.

const linksOfPlan = new WeakMap<InputPlan, Buffer>();

const treeOfPlan = new WeakMap<InputPlan, string>();

/**
 * The name of the tree on the instance that holds the links of `inputs` (linkScript): a hash of
 * what the links archive holds, without making it (a step that copies the tree sends none).
 */
export function treeOf(inputs: InputPlan): string {
  let tree = treeOfPlan.get(inputs);
  if (!tree) {
    const hash = createHash('sha256');
    // Paths hold no NUL: it ends each entry.
    for (const folder of inputs.folders) hash.update(`d${folder}\0`);
    for (const { path, blob } of inputs.files) hash.update(`f${path}\0${blob.name}\0`);
    tree = hash.digest('hex');
    treeOfPlan.set(inputs, tree);
  }
  return tree;
}

/** The job folder's links into the store, for linkScript: the same for every job of one plan. */
export function linksOf(inputs: InputPlan): Buffer {
  let links = linksOfPlan.get(inputs);
  if (!links) {
    links = gzipSync(tarOfHeaders(jobEntries(undefined, inputs, new Set())), { level: 1 });
    linksOfPlan.set(inputs, links);
  }
  return links;
}

/**
 * Asks the store which of the blobs of `inputs` it lacks; when none, the job folder is made. The
 * names to send, or undefined when the instance asks to start again (a blob evicted meanwhile).
 */
export async function queryAndLink(
  transport: Transport,
  jobId: string,
  inputs: InputPlan,
): Promise<string[] | undefined> {
  const wanted = [...inputs.blobs.values()].map((blob) =>
    wantedLine(blob.digest, blob.isExecutable),
  );
  const wantedGz = gzipSync(wanted.join(''), { level: 1 });
  const links = linksOf(inputs);
  const script = queryAndLinkScript(jobId, wantedGz.length);
  const query = await transport.send(script, Readable.from([wantedGz, links]));
  if (query.status === STORE_RETRY) return undefined;
  if (query.status !== 0)
    throw new UserError(`upload failed: ${lines(query.stderr)[0] ?? query.status}`);
  return lines(query.stdout);
}

/**
 * Sends the blobs named `missing` and makes the job folder with them; reports `upload: N of M
 * files, X bytes` through `progress`. `complete` is false when the instance asks to start again (a
 * blob evicted, or an input changed since it was hashed); `bytes` were sent either way.
 */
export async function uploadMissing(
  transport: Transport,
  jobId: string,
  inputs: InputPlan,
  missing: readonly string[],
  progress: Progress,
): Promise<{ complete: boolean; bytes: number }> {
  const blobs = missing.map((name) => inputs.blobs.get(name));
  if (blobs.includes(undefined))
    throw new UserError(`upload failed: the instance asked for ${missing.join(' ')}`);
  const sending = blobs as Blob[];
  const sent = new Set(sending.map((blob) => blob.name));
  // What arrives must be what its name says. A blob read for this plan and unchanged since (its
  // stat tells, see file-version.ts) is; any other is hashed as it is sent: one whose digest came
  // from the hash cache may carry a wrong one (a racy write the cache could not see).
  const byStat = (blob: Blob) =>
    blob.readForPlan && unchangedSince(blob.stats, inputs.startedNs, blob.stats);
  const hashes = new Map<Blob, Hash>();
  for (const blob of sending) if (!byStat(blob)) hashes.set(blob, createHash('sha256'));
  const entries: TarEntry[] = [
    ...sending.map((blob): TarEntry => ({
      kind: 'file',
      name: incomingBlob(jobId, blob.name),
      source: blob.source,
      size: blob.digest.sizeBytes,
      mode: blobMode(blob.isExecutable),
      onContent: hashes.has(blob) ? (bytes) => hashes.get(blob)!.update(bytes) : undefined,
    })),
    ...jobEntries(jobId, inputs, sent),
  ];
  const isSound = (blob: Blob) => {
    if (hashes.has(blob)) return hashes.get(blob)!.digest('hex') === blob.digest.hash;
    const now = statOrUndefined(blob.source);
    return now !== undefined && unchangedSince(blob.stats, inputs.startedNs, now);
  };
  const verdict = () => Buffer.from(`${sending.every(isSound) ? UPLOAD_SOUND : 'changed'}\n`);
  const closing = { name: incomingBlob(jobId, VERDICT_FILE), content: verdict };
  const archive = tarStream(entries, { mtime: BLOB_MTIME, closing });
  const upload = await transport.send(uploadScript(jobId), Readable.from(archive));
  const bytes = sending.reduce((sum, blob) => sum + blob.digest.sizeBytes, 0);
  if (upload.status === STORE_RETRY || upload.status === STORE_CHANGED)
    return { complete: false, bytes };
  if (upload.status !== 0)
    throw new UserError(`upload failed: ${lines(upload.stderr)[0] ?? upload.status}`);
  const filesSent = inputs.files.filter(({ blob }) => sent.has(blob.name)).length;
  progress(`upload: ${filesSent} of ${inputs.files.length} files, ${bytes} bytes`);
  return { complete: true, bytes };
}
