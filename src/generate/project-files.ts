import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const NOT_SOURCES = new Set(['.git', 'node_modules', '.scons-remote']);

/** Every file below `root`, as posix paths relative to it; the haystack source globs are matched against. */
export function listProjectFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (relativeDir: string): void => {
    for (const entry of readdirSync(join(root, relativeDir), { withFileTypes: true })) {
      if (NOT_SOURCES.has(entry.name)) continue;
      const path = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk('');
  return files.sort();
}
