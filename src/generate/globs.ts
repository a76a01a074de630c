import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import micromatch from 'micromatch';

const NOT_SOURCES = new Set(['.git', 'node_modules', '.scons-remote']);

export interface GlobRecord {
  pattern: string;
  matches: string[];
}

/** What `remote-gen --check-globs` needs to evaluate the globs again without running the description. */
export interface GlobState {
  targets: string[];
  globs: GlobRecord[];
}

interface FolderEntries { files: string[]; folders: string[] }

function inside(folder: string, name: string): string {
  return folder === '.' ? name : `${folder}/${name}`;
}

function nearestExistingFolder(path: string): string {
  let folder = dirname(path);
  while (folder !== '.' && !existsSync(folder)) folder = dirname(folder);
  return folder;
}

/**
 * Evaluates source globs against the files under the folder each one names and the steps' targets.
 * Each folder is listed once however many globs read it, so the cost grows with the files read, and
 * the folders read are remembered: adding or removing a file changes one of their mtimes.
 */
export class GlobExpander {
  readonly walked = new Set<string>();
  readonly #targets: Set<string>;
  readonly #listed = new Map<string, FolderEntries>();
  readonly #results = new Map<string, string[]>();

  constructor(targets: Iterable<string>) {
    this.#targets = new Set(targets);
  }

  expand(pattern: string): string[] {
    const known = this.#results.get(pattern);
    if (known) return known;
    const scan = micromatch.scan(pattern);
    const base = scan.base === '' ? '.' : scan.base;
    const recursive = scan.glob.includes('/') || scan.glob.includes('**');
    const candidates = new Set<string>();
    const visit = (folder: string): void => {
      if (this.#targets.has(folder)) return; // a folder a step builds: only the folder itself is a candidate
      this.walked.add(folder);
      const { files, folders } = this.#list(folder);
      for (const file of files) candidates.add(file);
      if (recursive) folders.forEach(visit);
    };
    if (existsSync(base)) visit(base);
    else this.walked.add(nearestExistingFolder(base)); // where the base folder would appear
    const prefix = base === '.' ? '' : `${base}/`;
    for (const target of this.#targets) {
      if (target.startsWith(prefix) && (recursive || dirname(target) === base)) candidates.add(target);
    }
    const isMatch = micromatch.matcher(pattern, { dot: false });
    const matches = [...candidates].filter((path) => isMatch(path)).sort();
    this.#results.set(pattern, matches);
    return matches;
  }

  records(): GlobRecord[] {
    return [...this.#results].map(([pattern, matches]) => ({ pattern, matches }));
  }

  #list(folder: string): FolderEntries {
    let entries = this.#listed.get(folder);
    if (entries) return entries;
    entries = { files: [], folders: [] };
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (NOT_SOURCES.has(entry.name)) continue;
      (entry.isDirectory() ? entries.folders : entries.files).push(inside(folder, entry.name));
    }
    this.#listed.set(folder, entries);
    return entries;
  }
}
