import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { Client } from 'ssh2';
import { shellJoin, shellQuote } from '../util/shell-quote.js';
import { UserError } from '../util/user-error.js';
import { openChannel } from './exec-channel.js';

// Files travel as one tar stream over one exec channel: a whole tree in a single round trip, modes and
// symlinks kept, and the system tar on both ends does the file work.

const MISSING = 'scons-remote-missing:';

function collect(stream: NodeJS.ReadableStream): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function localTar(args: string[]) {
  const child = spawn('tar', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  // tar -x stops reading at the end-of-archive blocks, before the record's padding; writing on is harmless.
  child.stdin.on('error', () => {});
  const stderr = collect(child.stderr);
  const status = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 255));
  });
  return { child, stderr, status };
}

export async function putTree(client: Client, localBase: string, relPaths: readonly string[], remoteDir: string): Promise<void> {
  const remoteDirWord = shellQuote(remoteDir);
  const { channel, status: remoteStatus } = await openChannel(client, `mkdir -p -- ${remoteDirWord} && tar -C ${remoteDirWord} -xf -`);
  const remoteErr = collect(channel.stderr);
  channel.resume();
  const tar = localTar(relPaths.length ? ['-C', localBase, '-cf', '-', '--', ...relPaths] : ['-cf', '-', '--files-from=/dev/null']);
  tar.child.stdout.pipe(channel);
  tar.child.stdin.end();
  const [local, remote] = await Promise.all([tar.status, remoteStatus]);
  if (local !== 0) throw new UserError(`upload failed: local tar: ${firstLine(tar.stderr())}`);
  if (remote !== 0) throw new UserError(`upload to ${remoteDir} failed: ${firstLine(remoteErr()) || `remote tar exited ${remote}`}`);
}

/** Downloads what exists of `relPaths`; the others are reported as missing rather than failing the copy. */
export async function getTree(client: Client, remoteDir: string, relPaths: readonly string[], localDir: string): Promise<{ missing: string[] }> {
  const script = [
    `found=; cd ${shellQuote(remoteDir)} 2>/dev/null && found=yes`,
    'set --',
    `for path in ${shellJoin(relPaths.length ? [...relPaths] : [''])}; do`,
    '  [ -z "$path" ] && continue',
    `  if [ -n "$found" ] && { [ -e "$path" ] || [ -L "$path" ]; }; then set -- "$@" "$path"; else printf '${MISSING}%s\\n' "$path" >&2; fi`,
    'done',
    'if [ $# -eq 0 ]; then exec tar -cf - --files-from=/dev/null; fi',
    'exec tar -cf - -- "$@"',
  ].join('\n');
  mkdirSync(localDir, { recursive: true });
  const { channel, status: remoteStatus } = await openChannel(client, script);
  const remoteErr = collect(channel.stderr);
  const tar = localTar(['-C', localDir, '-xf', '-']);
  channel.pipe(tar.child.stdin);
  tar.child.stdout.resume();
  channel.end();
  // Once tar is done, drain what it left unread (the archive's padding), or the channel would never close.
  void tar.status.finally(() => {
    channel.unpipe(tar.child.stdin);
    channel.resume();
  });
  const [remote, local] = await Promise.all([remoteStatus, tar.status]);
  const errLines = remoteErr().split('\n');
  const missing = errLines.filter((line) => line.startsWith(MISSING)).map((line) => line.slice(MISSING.length));
  const problems = errLines.filter((line) => line && !line.startsWith(MISSING));
  if (remote !== 0) throw new UserError(`download from ${remoteDir} failed: ${problems[0] ?? `remote tar exited ${remote}`}`);
  if (local !== 0) throw new UserError(`download failed: local tar: ${firstLine(tar.stderr())}`);
  return { missing };
}
