import { Readable } from 'node:stream';
import { HashCache } from '../../cas/hash-cache.js';
import { buildInputTree, treeFiles, type InputTree } from '../../cas/input-tree.js';
import { digestOfFile, type Digest } from '../../cas/digest.js';
import { incomingBlob, jobDir, storeBlob } from '../../layout/instance-home.js';
import { hashCachePath } from '../../layout/local-state.js';
import type { Transport } from '../../transport/index.js';
import { UserError } from '../../util/user-error.js';
import type { Progress } from '../progress.js';
import {
  blobName,
  queryAndLinkScript,
  STORE_CHANGED,
  STORE_RETRY,
  uploadScript,
  wantedLine,
} from './store-scripts.js';
import { tarStream, type TarEntry } from './tar-writer.js';

// Inputs reach the instance through its content-addressed store (the idea of REAPI's
// FindMissingBlobs, then one batch upload): hashed here through the persistent hash cache, asked
// for in one round trip, and only the blobs the store lacks are sent, in one tar stream that also
// assembles the job folder from hard links. Scripts and the hard-link decision: store-scripts.ts.

/** Tries before giving up when blobs vanish (evicted) or change (edited) during an upload. */
const ATTEMPTS = 3;

interface Blob {
  name: string;
  digest: Digest;
  isExecutable: boolean;
  source: string;
}

interface Plan {
  /** Every folder of the job, parents first, relative to the job folder. */
  folders: string[];
  /** Every file of the job with the blob it links to. */
  files: { path: string; blob: Blob }[];
  blobs: Map<string, Blob>;
}

function folders(tree: InputTree, prefix = ''): string[] {
  return [...tree.directories].flatMap(([name, sub]) => [
    `${prefix}${name}`,
    ...folders(sub, `${prefix}${name}/`),
  ]);
}

function plan(tree: InputTree): Plan {
  const blobs = new Map<string, Blob>();
  const files = treeFiles(tree).map(({ path, file }) => {
    const name = blobName(file.digest, file.isExecutable);
    let blob = blobs.get(name);
    if (!blob) blobs.set(name, (blob = { name, ...file }));
    return { path, blob };
  });
  return { folders: folders(tree), files, blobs };
}

/** The job folder: its folders, then a hard link per file to the blob in the store or in `sent`. */
function* jobEntries(jobId: string, { folders, files }: Plan, sent: ReadonlySet<string>) {
  const job = jobDir(jobId);
  yield { kind: 'directory', name: job } satisfies TarEntry;
  for (const folder of folders) yield { kind: 'directory', name: `${job}/${folder}` } as TarEntry;
  for (const { path, blob } of files) {
    const target = sent.has(blob.name) ? incomingBlob(jobId, blob.name) : storeBlob(blob.name);
    yield { kind: 'hard link', name: `${job}/${path}`, target } as TarEntry;
  }
}

function lines(text: string): string[] {
  return text.split('\n').filter(Boolean);
}

export interface UploadSummary {
  filesSent: number;
  files: number;
  bytesSent: number;
}

/** One attempt: undefined when the instance asks to start again. */
async function attempt(transport: Transport, jobId: string, plan: Plan) {
  const wanted = [...plan.blobs.values()].map((blob) => wantedLine(blob.digest, blob.isExecutable));
  const wantedText = Buffer.from(wanted.join(''));
  const links = tarStream(jobEntries(jobId, plan, new Set()));
  const query = await transport.send(
    queryAndLinkScript(jobId, wantedText.length),
    Readable.from(
      (async function* () {
        yield wantedText;
        yield* links;
      })(),
    ),
  );
  if (query.status === STORE_RETRY) return undefined;
  if (query.status !== 0)
    throw new UserError(`upload failed: ${lines(query.stderr)[0] ?? query.status}`);
  const missing = lines(query.stdout).map((name) => plan.blobs.get(name));
  if (missing.length === 0) return { filesSent: 0, bytesSent: 0 };
  if (missing.includes(undefined))
    throw new UserError(`upload failed: the instance asked for ${query.stdout.trim()}`);
  const sending = missing as Blob[];
  const sent = new Set(sending.map((blob) => blob.name));
  function* entries(): Generator<TarEntry> {
    for (const blob of sending) {
      yield {
        kind: 'file',
        name: incomingBlob(jobId, blob.name),
        source: blob.source,
        size: blob.digest.sizeBytes,
      };
    }
    yield* jobEntries(jobId, plan, sent);
  }
  const upload = await transport.send(uploadScript(jobId), Readable.from(tarStream(entries())));
  if (upload.status === STORE_RETRY || upload.status === STORE_CHANGED) return undefined;
  if (upload.status !== 0)
    throw new UserError(`upload failed: ${lines(upload.stderr)[0] ?? upload.status}`);
  const filesSent = plan.files.filter(({ blob }) => sent.has(blob.name)).length;
  return { filesSent, bytesSent: sending.reduce((sum, blob) => sum + blob.digest.sizeBytes, 0) };
}

/**
 * Makes the job folder `jobId` on the instance hold `inputs` (relative to `baseDir`), sending only
 * the content its store lacks; reports `upload: N of M files, X bytes` through `progress`.
 */
export async function uploadInputs(
  transport: Transport,
  stateDir: string,
  baseDir: string,
  inputs: readonly string[],
  jobId: string,
  progress: Progress,
): Promise<UploadSummary> {
  for (let tries = 1; ; tries++) {
    // A retry reads every input again: a wrong digest in the cache must not fail every try.
    const cache = tries === 1 ? HashCache.load(hashCachePath(stateDir)) : undefined;
    const tree = await buildInputTree(baseDir, inputs, (path) =>
      cache ? cache.digest(path) : digestOfFile(path),
    );
    cache?.save();
    const jobPlan = plan(tree);
    const done = await attempt(transport, jobId, jobPlan);
    if (done) {
      const files = jobPlan.files.length;
      progress(`upload: ${done.filesSent} of ${files} files, ${done.bytesSent} bytes`);
      return { ...done, files };
    }
    if (tries === ATTEMPTS) {
      throw new UserError(
        `upload failed: inputs kept changing or leaving the store (${tries} tries)`,
      );
    }
  }
}
