import { isAbsolute, posix } from 'node:path';
import { UserError } from '../util/user-error.js';
import type { Location } from './declarations.js';
import type { Sources, Targets, ValueSource } from './types.js';

/** What posix.normalize would change: `.` or `..` segments, doubled or trailing slashes. */
const NOT_NORMAL = /(?:^|\/)\.\.?(?:\/|$)|\/\/|\/$/;

/** A path inside the description's folder, normalized; anything reaching outside is an error. */
export function projectPath(path: unknown, role: string, location: Location): string {
  if (typeof path !== 'string' || path.trim() === '') {
    throw new UserError(
      `${location}: ${role} must be a non-empty path string, got ${JSON.stringify(path)}`,
    );
  }
  // A backslash is an ordinary character in a POSIX file name, so it stays part of the name.
  const normalized = NOT_NORMAL.test(path) ? posix.normalize(path) : path;
  if (isAbsolute(path) || normalized === '..' || normalized.startsWith('../')) {
    throw new UserError(
      `${location}: ${role} '${path}' is outside the description's folder; use a path relative to it`,
    );
  }
  if (/[\n\r\0]/.test(path)) {
    throw new UserError(
      `${location}: ${role} ${JSON.stringify(path)} contains a line break or NUL, which ninja cannot express`,
    );
  }
  return normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

export function targetList(targets: Targets | undefined, location: Location): string[] {
  const list = targets === undefined ? [] : typeof targets === 'string' ? [targets] : [...targets];
  if (list.length === 0) throw new UserError(`${location}: missing 'target'`);
  return list.map((target) => {
    const path = projectPath(target, 'target', location);
    if (path.includes('\t')) {
      const why = "which ninja's build log cannot record (the step would rebuild every time)";
      throw new UserError(`${location}: target ${JSON.stringify(path)} contains a tab, ${why}`);
    }
    return path;
  });
}

export function isValueSource(source: unknown): source is ValueSource {
  return typeof source === 'object' && source !== null && (source as ValueSource).kind === 'value';
}

export function sourceList(
  sources: Sources | undefined,
  location: Location,
): (string | ValueSource)[] {
  const list =
    sources === undefined
      ? []
      : typeof sources === 'string' || isValueSource(sources)
        ? [sources]
        : [...sources];
  return list.map((source) =>
    isValueSource(source) ? source : projectPath(source, 'source', location),
  );
}
