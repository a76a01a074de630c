import { spawn } from 'node:child_process';
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Digest } from '../../cas/digest.js';
import { byUtf8 } from '../../reapi/merkle-tree.js';
import type {
  Action,
  ActionResult,
  Command,
  Directory,
  OutputDirectory,
  OutputFile,
  OutputSymlink,
} from '../../reapi/messages.js';
import { encodeCanonical, REAPI } from '../../reapi/protos.js';
import { InvalidBlob, validDigest, type BlobStore } from './blob-store.js';

// The test engine's worker: lays out the input root from the CAS in a fresh temporary folder,
// runs the Command there, and stores what it declared as outputs back in the CAS. It refuses
// what REAPI forbids (unsorted or duplicate names, unsorted outputs or environment), as real
// engines may.
//
// API: MissingInput, loadAction(store, digest),
// runAction(store, action, command, speaksOutputPaths, signal).

export class MissingInput extends Error {}

function sortedUnique(names: readonly string[], what: string): void {
  for (let i = 1; i < names.length; i++) {
    if (byUtf8(names[i - 1]!, names[i]!) >= 0) {
      throw new InvalidBlob(`${what} not sorted or not unique at '${names[i]}'`);
    }
  }
}

function load<T extends object>(
  store: BlobStore,
  name: 'Action' | 'Command' | 'Directory',
  digest: Digest | null,
): T {
  if (!validDigest(digest)) throw new InvalidBlob(`invalid ${name} digest`);
  if (!store.has(digest)) throw new MissingInput(`${name} ${digest.hash}/${digest.sizeBytes}`);
  return store.decodeCanonical<T>(name, digest);
}

export function loadAction(store: BlobStore, digest: Digest): { action: Action; command: Command } {
  const action = load<Action>(store, 'Action', digest);
  const command = load<Command>(store, 'Command', action.commandDigest);
  sortedUnique(
    command.environmentVariables.map((v) => v.name),
    'environment variables',
  );
  sortedUnique(command.outputPaths, 'output_paths');
  sortedUnique(command.outputFiles, 'output_files');
  sortedUnique(command.outputDirectories, 'output_directories');
  if (command.arguments.length === 0) throw new InvalidBlob('Command without arguments');
  return { action, command };
}

async function layOut(store: BlobStore, digest: Digest | null, at: string): Promise<void> {
  const folder = load<Directory>(store, 'Directory', digest);
  sortedUnique(
    folder.files.map((f) => f.name),
    'file names',
  );
  sortedUnique(
    folder.directories.map((d) => d.name),
    'folder names',
  );
  await mkdir(at, { recursive: true });
  for (const file of folder.files) {
    const data = store.get(file.digest);
    if (!data) throw new MissingInput(`file ${file.digest.hash}/${file.digest.sizeBytes}`);
    await writeFile(join(at, file.name), data, { mode: file.isExecutable ? 0o755 : 0o644 });
  }
  for (const sub of folder.directories) await layOut(store, sub.digest, join(at, sub.name));
}

/** The Directory messages of the folder at `path`, stored, with the root's digest. */
async function storeFolder(
  store: BlobStore,
  path: string,
  children: Directory[],
): Promise<Directory> {
  const folder: Directory = { files: [], directories: [], symlinks: [] };
  for (const name of (await readdir(path)).sort(byUtf8)) {
    const entry = join(path, name);
    const stats = await lstat(entry);
    if (stats.isSymbolicLink()) folder.symlinks.push({ name, target: await readlink(entry) });
    else if (stats.isDirectory()) {
      const child = await storeFolder(store, entry, children);
      children.push(child);
      const digest = store.add(encodeCanonical(`${REAPI}.Directory`, child));
      folder.directories.push({ name, digest });
    } else if (stats.isFile()) {
      const digest = store.add(await readFile(entry));
      folder.files.push({ name, digest, isExecutable: (stats.mode & 0o100) !== 0 });
    }
  }
  return folder;
}

interface Collected {
  files: OutputFile[];
  directories: OutputDirectory[];
  symlinks: OutputSymlink[];
}

async function collect(
  store: BlobStore,
  root: string,
  paths: readonly string[],
): Promise<Collected> {
  const found: Collected = { files: [], directories: [], symlinks: [] };
  for (const path of paths) {
    const at = join(root, path);
    const stats = await lstat(at).catch(() => undefined);
    if (!stats) continue;
    if (stats.isSymbolicLink()) found.symlinks.push({ path, target: await readlink(at) });
    else if (stats.isFile()) {
      const digest = store.add(await readFile(at));
      const isExecutable = (stats.mode & 0o100) !== 0;
      found.files.push({ path, digest, isExecutable, contents: Buffer.alloc(0) });
    } else if (stats.isDirectory()) {
      const children: Directory[] = [];
      const rootFolder = await storeFolder(store, at, children);
      const treeDigest = store.add(
        encodeCanonical(`${REAPI}.Tree`, { root: rootFolder, children }),
      );
      found.directories.push({ path, treeDigest });
    }
  }
  return found;
}

function run(
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  signal: AbortSignal,
) {
  return new Promise<{ exitCode: number; stdout: Buffer; stderr: Buffer; timedOut: boolean }>(
    (resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), {
        cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      let timedOut = false;
      const kill = () => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      const timer =
        timeoutMs > 0 ? setTimeout(() => ((timedOut = true), kill()), timeoutMs) : undefined;
      signal.addEventListener('abort', kill, { once: true });
      child.once('error', reject);
      child.once('close', (code, killedBy) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', kill);
        const exitCode = code ?? 128 + (killedBy === 'SIGKILL' ? 9 : 15);
        resolve({ exitCode, stdout: Buffer.concat(out), stderr: Buffer.concat(err), timedOut });
      });
    },
  );
}

/** Runs the action in a fresh folder; the result's logs and outputs are in the store. */
export async function runAction(
  store: BlobStore,
  action: Action,
  command: Command,
  speaksOutputPaths: boolean,
  signal: AbortSignal,
): Promise<{ result: ActionResult; timedOut: boolean }> {
  const root = await mkdtemp(join(tmpdir(), 'reapi-action-'));
  try {
    await layOut(store, action.inputRootDigest, root);
    // An engine older than 2.1 knows nothing of output_paths, and a newer one ignores the older
    // fields once output_paths is set.
    const older = !speaksOutputPaths || command.outputPaths.length === 0;
    const outputs = older
      ? [...command.outputFiles, ...command.outputDirectories]
      : command.outputPaths;
    const cwd = join(root, command.workingDirectory);
    for (const output of outputs) await mkdir(dirname(join(cwd, output)), { recursive: true });
    const env = { PATH: '/usr/local/bin:/usr/bin:/bin' } as NodeJS.ProcessEnv;
    for (const { name, value } of command.environmentVariables) env[name] = value;
    const timeoutMs = (action.timeout?.seconds ?? 0) * 1000;
    const ran = await run(command.arguments, cwd, env, timeoutMs, signal);
    const found = await collect(store, cwd, outputs);
    const result: ActionResult = {
      outputFiles: found.files,
      outputDirectories: found.directories,
      outputSymlinks: older ? [] : found.symlinks,
      outputFileSymlinks: older ? found.symlinks : [],
      outputDirectorySymlinks: [],
      exitCode: ran.exitCode,
      stdoutRaw: Buffer.alloc(0),
      stdoutDigest: store.add(ran.stdout),
      stderrRaw: Buffer.alloc(0),
      stderrDigest: store.add(ran.stderr),
    };
    return { result, timedOut: ran.timedOut };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
