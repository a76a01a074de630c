import { isAbsolute, posix } from 'node:path';
import { UserError } from '../util/user-error.js';
import type { Location } from './declarations.js';
import type { Sources, Targets, ValueSource } from './types.js';

/** A path inside the description's folder, normalized; anything reaching outside is an error. */
export function projectPath(path: unknown, role: string, location: Location): string {
  if (typeof path !== 'string' || path.trim() === '') {
    throw new UserError(`${location}: ${role} must be a non-empty path string, got ${JSON.stringify(path)}`);
  }
  const normalized = posix.normalize(path.replace(/\\/g, '/'));
  if (isAbsolute(path) || normalized === '..' || normalized.startsWith('../')) {
    throw new UserError(`${location}: ${role} '${path}' is outside the description's folder; use a path relative to it`);
  }
  if (/[\n\r\0]/.test(path)) {
    throw new UserError(`${location}: ${role} ${JSON.stringify(path)} contains a line break or NUL, which ninja cannot express`);
  }
  return normalized.replace(/\/$/, '');
}

export function targetList(targets: Targets | undefined, location: Location): string[] {
  const list = targets === undefined ? [] : typeof targets === 'string' ? [targets] : [...targets];
  if (list.length === 0) throw new UserError(`${location}: missing 'target'`);
  return list.map((target) => projectPath(target, 'target', location));
}

export function isValueSource(source: unknown): source is ValueSource {
  return typeof source === 'object' && source !== null && (source as ValueSource).kind === 'value';
}

export function sourceList(sources: Sources | undefined, location: Location): (string | ValueSource)[] {
  const list = sources === undefined ? [] : typeof sources === 'string' || isValueSource(sources) ? [sources] : [...sources];
  return list.map((source) => (isValueSource(source) ? source : projectPath(source, 'source', location)));
}
