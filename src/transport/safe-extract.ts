import {
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { declaredOutputs, linkStaysInside, parentFolders, projectPath } from './project-path.js';
import { ArchiveError } from './tar-header.js';
import type { EntryBody, EntryHandler, TarEntry } from './tar-reader.js';

// Extraction of what an instance sends back, treating it as untrusted: only files, folders and symbolic links
// that stay inside the project; owner, setuid/setgid and times are never taken from the archive (files get the
// local user, the umask's modes with the executable bit kept, and the time of extraction); nothing is ever
// written through a symbolic link.
//
// The file system calls are synchronous: each is short, and a download of 1000 files of 4 KB made
// four round trips to libuv's thread pool per file (lstat, open, write, close), 0.5 s of waiting.
// A name is created first and looked at only when it is taken: in the fresh folder it nearly never
// is, so a file costs open, write and close; an lstat that failed cost a thrown error per file.

export class RefusedEntry extends ArchiveError {
  constructor(name: string, reason: string) {
    super(`refused '${name}': ${reason}`);
  }
}

const CREATE_FILE =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

function kindAt(path: string): 'missing' | 'directory' | 'symlink' | 'other' {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat) return 'missing';
  return stat.isDirectory() ? 'directory' : stat.isSymbolicLink() ? 'symlink' : 'other';
}

function taken(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'EEXIST';
}

function fileBody(fd: number): EntryBody {
  let open = true;
  return {
    async write(chunk) {
      for (let written = 0; written < chunk.length;) written += writeSync(fd, chunk, written);
    },
    // Once only: a second close could close whatever file has been given the number since.
    close: async () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** Extracts entries under `root` (a fresh folder standing for the project), accepting only `declared` paths. */
export function extractInto(root: string, declared: readonly string[]): EntryHandler {
  const folders = new Set<string>();

  // Makes each missing folder on the way; an existing one must be a real folder, never a link to elsewhere.
  function makeParents(name: string): void {
    for (const folder of parentFolders(name)) {
      if (folders.has(folder)) continue;
      const found = kindAt(join(root, folder));
      if (found === 'symlink') {
        throw new RefusedEntry(
          name,
          `'${folder}' is a symbolic link, and nothing is written through one`,
        );
      }
      if (found === 'other') throw new RefusedEntry(name, `'${folder}' is not a folder`);
      if (found === 'missing') mkdirSync(join(root, folder));
      folders.add(folder);
    }
  }

  // A later entry of the same name replaces an earlier one, as tar does; a folder is only ever merged
  // into. Runs `make` on the entry's path, and again once a taken name is cleared; undefined when an
  // existing folder is merged into.
  function create<T>(
    name: string,
    kind: TarEntry['kind'],
    make: (path: string) => T,
  ): T | undefined {
    const path = join(root, name);
    try {
      return make(path);
    } catch (error) {
      if (!taken(error)) throw error;
    }
    if (kindAt(path) === 'directory') {
      if (kind === 'directory') return undefined;
      throw new RefusedEntry(name, 'a folder of that name came first');
    }
    unlinkSync(path);
    return make(path);
  }

  const isDeclared = declaredOutputs(declared);
  return async (entry) => {
    const name = projectPath(entry.name);
    if (name === undefined) throw new RefusedEntry(entry.name, 'a path outside the project');
    if (!isDeclared(name)) throw new RefusedEntry(entry.name, 'not a declared output');
    if (!['file', 'directory', 'symlink'].includes(entry.kind)) {
      const kind =
        entry.kind === 'unknown' ? `entry of unknown type '${entry.typeFlag}'` : entry.kind;
      throw new RefusedEntry(
        name,
        `${article(kind)} (only files, folders and symbolic links are accepted)`,
      );
    }
    if (entry.kind === 'symlink' && !linkStaysInside(name, entry.linkName)) {
      throw new RefusedEntry(name, `a symbolic link to '${entry.linkName}', outside the project`);
    }
    makeParents(name);
    if (entry.kind === 'directory') {
      create(name, entry.kind, (path) => mkdirSync(path));
      folders.add(name);
      return undefined;
    }
    if (entry.kind === 'symlink') {
      create(name, entry.kind, (path) => symlinkSync(entry.linkName, path));
      return undefined;
    }
    const mode = entry.mode & 0o111 ? 0o777 : 0o666;
    // Never undefined: only a folder merges into a folder.
    return fileBody(create(name, entry.kind, (path) => openSync(path, CREATE_FILE, mode))!);
  };
}
