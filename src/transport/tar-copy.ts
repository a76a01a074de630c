import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Client } from 'ssh2';
import { shellJoin, shellQuote } from '../util/shell-quote.js';
import { UserError } from '../util/user-error.js';
import { openChannel } from './exec-channel.js';
import type { Liveness } from './liveness.js';
import { projectPath } from './project-path.js';
import { extractInto, RefusedEntry } from './safe-extract.js';
import { ArchiveError } from './tar-header.js';
import { TarReader } from './tar-reader.js';
import { capSendAhead } from './send-ahead.js';

// Files travel as one tar stream over one exec channel: a whole tree in a single round trip. Uploads use the
// system tar on both ends; downloads are read by our own reader, which trusts nothing the instance sends.

const MISSING = 'scons-remote-missing:';

function collect(stream: NodeJS.ReadableStream): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function localTar(args: string[], signal: AbortSignal) {
  const child = spawn('tar', args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
  const stderr = collect(child.stderr);
  const status = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 255));
  });
  return { child, stderr, status };
}

/**
 * Symbolic links among the inputs travel as their content (`-h`), so a link to outside the project works as it
 * does locally; on the instance everything is the login user's alone (umask 077).
 */
export async function putTree(
  client: Client,
  localBase: string,
  relPaths: readonly string[],
  remoteDir: string,
  liveness: Liveness,
  signal: AbortSignal,
): Promise<void> {
  const dir = shellQuote(remoteDir);
  const untar = `tar -C ${dir} --no-same-owner --no-same-permissions -xf -`;
  const { channel, status: remoteStatus } = await openChannel(
    client,
    `umask 077 && mkdir -p -- ${dir} && ${untar}`,
  );
  capSendAhead(channel);
  const remoteErr = collect(channel.stderr);
  channel.resume();
  const args = relPaths.length
    ? ['-C', localBase, '-chf', '-', '--', ...relPaths]
    : ['-cf', '-', '--files-from=/dev/null'];
  const tar = localTar(args, signal);
  liveness.watchProgress(tar.child.stdout, signal);
  tar.child.stdout.pipe(channel);
  const [local, remote] = await Promise.all([tar.status, remoteStatus]);
  if (local !== 0) throw new UserError(`upload failed: local tar: ${firstLine(tar.stderr())}`);
  if (remote !== 0) {
    throw new UserError(
      `upload to ${remoteDir} failed: ${firstLine(remoteErr()) || `remote tar exited ${remote}`}`,
    );
  }
}

function downloadScript(remoteDir: string, relPaths: readonly string[]): string {
  return [
    `found=; cd ${shellQuote(remoteDir)} 2>/dev/null && found=yes`,
    'set --',
    `for path in ${shellJoin(relPaths.length ? [...relPaths] : [''])}; do`,
    '  [ -z "$path" ] && continue',
    '  if [ -n "$found" ] && { [ -e "$path" ] || [ -L "$path" ]; }',
    `  then set -- "$@" "$path"; else printf '${MISSING}%s\\n' "$path" >&2; fi`,
    'done',
    'if [ $# -eq 0 ]; then exec tar -cf - --files-from=/dev/null; fi',
    // Hard links arrive as files of their own, so the reader can refuse every hard link entry.
    'exec tar -cf - --hard-dereference -- "$@"',
  ].join('\n');
}

/**
 * Downloads what exists of `relPaths` (paths inside the project) into `localDir`; the others are reported as
 * missing rather than failing the copy.
 */
export async function getTree(
  client: Client,
  host: string,
  remoteDir: string,
  relPaths: readonly string[],
  localDir: string,
  liveness: Liveness,
  signal: AbortSignal,
): Promise<{ missing: string[] }> {
  const declared = relPaths.map((path) => {
    const inside = projectPath(path);
    if (!inside) throw new UserError(`output '${path}' is outside the project`);
    return inside;
  });
  mkdirSync(localDir, { recursive: true });
  const { channel, status: remoteStatus } = await openChannel(
    client,
    downloadScript(remoteDir, relPaths),
  );
  const remoteErr = collect(channel.stderr);
  channel.end();
  liveness.watchProgress(channel, signal);
  // On a refusal, pipeline closes the channel; ssh2 reports its close (and so the exit status) only once
  // what is still buffered has been read, so drain it.
  const extracted = await pipeline(channel, new TarReader(extractInto(localDir, declared))).then(
    () => undefined,
    (error: Error) => (channel.resume(), error),
  );
  const remote = await remoteStatus;
  const errLines = remoteErr().split('\n');
  const missing = errLines
    .filter((line) => line.startsWith(MISSING))
    .map((line) => line.slice(MISSING.length));
  const problems = errLines.filter((line) => line && !line.startsWith(MISSING));
  if (extracted instanceof RefusedEntry)
    throw new UserError(`download from ${host} ${extracted.message}`);
  if (remote !== 0) {
    throw new UserError(
      `download from ${remoteDir} failed: ${problems[0] ?? `remote tar exited ${remote}`}`,
    );
  }
  if (extracted instanceof ArchiveError)
    throw new UserError(`download from ${host} failed: ${extracted.message}`);
  if (extracted) throw extracted;
  return { missing };
}
