import { statSync, type BigIntStats } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { projectPath } from '../transport/project-path.js';
import { UserError } from '../util/user-error.js';
import type { Digest } from './digest.js';

// A step's inputs as a tree of folders and files with their digests and executable bits: REAPI's
// Directory model without its encoding (src/reapi turns it into Directory messages). Symbolic
// links are followed, as uploads over SSH do (`tar -h`): a link is an input's content, never a
// link on the far side. Folders are walked whole; empty ones are kept, as tar keeps them.
//
// API: InputFile, InputTree, buildInputTree(projectDir, inputs, digestOf), folderAt(tree, path),
// treeFiles(tree).

export interface InputFile {
  readonly digest: Digest;
  readonly isExecutable: boolean;
  /** Absolute local path the content is read from. */
  readonly source: string;
}

/** One folder: its entries by name (single path components). */
export interface InputTree {
  readonly files: Map<string, InputFile>;
  readonly directories: Map<string, InputTree>;
}

/** Digests hashed at once; bounds open files while keeping the disk busy. */
const PARALLEL_DIGESTS = 16;

function emptyTree(): InputTree {
  return { files: new Map(), directories: new Map() };
}

// Stats are taken synchronously: a thousand inputs cost a few milliseconds so, and ten times that
// through the thread pool's queue. They are bigint ones, which the hash cache compares: one a file.
function statInput(projectDir: string, path: string): BigIntStats {
  try {
    return statSync(join(projectDir, path), { bigint: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new UserError(`input '${path}' does not exist`);
    }
    if (code === 'ELOOP') throw new UserError(`input '${path}' is a symbolic link loop`);
    throw error;
  }
}

/** Every file under the input `path`, folders added to `tree` as they are met. */
async function walk(
  projectDir: string,
  path: string,
  tree: InputTree,
  folderIds: ReadonlySet<string>,
  found: Map<string, BigIntStats>,
): Promise<void> {
  const stats = statInput(projectDir, path);
  if (stats.isFile()) {
    found.set(path, stats);
    return;
  }
  if (!stats.isDirectory()) throw new UserError(`input '${path}' is not a file or folder`);
  const id = `${stats.dev}:${stats.ino}`;
  if (folderIds.has(id)) throw new UserError(`input '${path}' is a symbolic link into itself`);
  folderAt(tree, path);
  const names = await readdir(join(projectDir, path));
  const inside = new Set([...folderIds, id]);
  for (const name of names.sort()) {
    await walk(projectDir, path === '' ? name : `${path}/${name}`, tree, inside, found);
  }
}

/** The folder at `path` in `tree`, made with its parents when missing. */
export function folderAt(tree: InputTree, path: string): InputTree {
  let current = tree;
  for (const name of path.split('/').filter(Boolean)) {
    if (current.files.has(name)) throw new UserError(`input '${path}' is a file and a folder`);
    let next = current.directories.get(name);
    if (!next) current.directories.set(name, (next = emptyTree()));
    current = next;
  }
  return current;
}

function addFile(tree: InputTree, path: string, file: InputFile): void {
  const slash = path.lastIndexOf('/');
  const parent = folderAt(tree, slash < 0 ? '' : path.slice(0, slash));
  const name = path.slice(slash + 1);
  if (parent.directories.has(name)) throw new UserError(`input '${path}' is a file and a folder`);
  parent.files.set(name, file);
}

/**
 * The tree of `inputs`, paths relative to `projectDir`; `digestOf` gets each file's absolute path
 * with its stat (a HashCache's digest, so unchanged files are not read). Inputs may overlap (`a` and `a/b`).
 */
export async function buildInputTree(
  projectDir: string,
  inputs: readonly string[],
  digestOf: (absolutePath: string, stats: BigIntStats) => Promise<Digest>,
): Promise<InputTree> {
  const tree = emptyTree();
  const found = new Map<string, BigIntStats>();
  for (const input of inputs) {
    const path = projectPath(input);
    if (path === undefined) throw new UserError(`input '${input}' is outside the project`);
    if (path === '') throw new UserError(`input '${input}' names the whole project`);
    await walk(projectDir, path, tree, new Set(), found);
  }
  const queue = found.entries(); // one iterator shared by the workers: each file taken once
  const worker = async (): Promise<void> => {
    for (const [path, stats] of queue) {
      const source = join(projectDir, path);
      const isExecutable = (stats.mode & 0o111n) !== 0n;
      addFile(tree, path, { digest: await digestOf(source, stats), isExecutable, source });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_DIGESTS }, worker));
  return tree;
}

/** Every file of `tree` with its path relative to the tree's root, sorted by path. */
export function treeFiles(tree: InputTree, prefix = ''): { path: string; file: InputFile }[] {
  const files = [...tree.files].map(([name, file]) => ({ path: prefix + name, file }));
  for (const [name, sub] of tree.directories) files.push(...treeFiles(sub, `${prefix}${name}/`));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
