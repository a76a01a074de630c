import { posix } from 'node:path';

// Lexical rules for paths that come from the instance: they name places inside the project, never outside.

/** `path` relative to the project, without `.` parts; undefined when it is absolute or has a `..` part. */
export function projectPath(path: string): string | undefined {
  if (path.startsWith('/')) return undefined;
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  return parts.includes('..') ? undefined : parts.join('/');
}

/** Whether a symbolic link at `linkPath` (inside the project) pointing to `target` stays inside the project. */
export function linkStaysInside(linkPath: string, target: string): boolean {
  if (target === '' || target.startsWith('/')) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath), target));
  return resolved !== '..' && !resolved.startsWith('../');
}

/**
 * Whether a path is one of `declared` or lies inside one of them: a look-up per folder of the path,
 * so a step with thousands of outputs does not compare each entry with each output.
 */
export function declaredOutputs(declared: readonly string[]): (path: string) => boolean {
  const outputs = new Set(declared);
  return (path) => {
    if (outputs.has(path)) return true;
    for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) {
      if (outputs.has(path.slice(0, end))) return true;
    }
    return false;
  };
}

/** The folders leading to `path`, outermost first: `a/b/c` gives `a`, `a/b`. */
export function parentFolders(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}
