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

interface FolderEntries {
  files: string[];
  folders: string[];
}

function inside(folder: string, name: string): string {
  return folder === '.' ? name : `${folder}/${name}`;
}

function nearestExistingFolder(path: string): string {
  let folder = dirname(path);
  while (folder !== '.' && !existsSync(folder)) folder = dirname(folder);
  return folder;
}

/** The part of a sorted list that starts with `prefix`, found by binary search. */
function startingWith(sorted: readonly string[], prefix: string): readonly string[] {
  const firstAtLeast = (text: string): number => {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (sorted[middle]! < text) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  if (prefix === '') return sorted;
  const pastPrefix =
    prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return sorted.slice(firstAtLeast(prefix), firstAtLeast(pastPrefix));
}

/**
 * Evaluates source globs against the files under the folder each one names and the steps' targets.
 * Each folder is listed once however many globs read it, so the cost grows with the files read, and
 * the folders read are remembered: adding or removing a file changes one of their mtimes.
 */
export class GlobExpander {
  readonly walked = new Set<string>();
  readonly #targets: Set<string>;
  readonly #targetsIn = new Map<string, string[]>();
  readonly #listed = new Map<string, FolderEntries>();
  readonly #results = new Map<string, string[]>();

  constructor(targets: Iterable<string>) {
    this.#targets = new Set(targets);
    for (const target of this.#targets) {
      const folder = dirname(target);
      const known = this.#targetsIn.get(folder);
      if (known) known.push(target);
      else this.#targetsIn.set(folder, [target]);
    }
  }

  expand(pattern: string): string[] {
    const known = this.#results.get(pattern);
    if (known) return known;
    const scan = micromatch.scan(pattern);
    const base = scan.base === '' ? '.' : scan.base;
    const recursive = scan.glob.includes('/') || scan.glob.includes('**');
    const isMatch = micromatch.matcher(pattern, { dot: false });
    const matches = new Set<string>();
    // The glob's literal start narrows the files tested, so one glob per file stays linear overall.
    const start = inside(base, /^[^*?[\]{}()!+@\\]*/.exec(scan.glob)![0]);
    const visit = (folder: string): void => {
      if (this.#targets.has(folder)) return; // a folder a step builds: only the folder itself is a candidate
      this.walked.add(folder);
      const { files, folders } = this.#list(folder);
      for (const file of recursive ? files : startingWith(files, start))
        if (isMatch(file)) matches.add(file);
      if (recursive) folders.forEach(visit);
    };
    if (existsSync(base)) visit(base);
    else this.walked.add(nearestExistingFolder(base)); // where the base folder would appear
    const targets = recursive ? this.#targets : (this.#targetsIn.get(base) ?? []);
    const prefix = base === '.' ? '' : `${base}/`;
    for (const target of targets)
      if (target.startsWith(prefix) && isMatch(target)) matches.add(target);
    const sorted = [...matches].sort();
    this.#results.set(pattern, sorted);
    return sorted;
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
    entries.files.sort();
    this.#listed.set(folder, entries);
    return entries;
  }
}
