import { nearestName } from '../util/nearest-name.js';
import { UserError } from '../util/user-error.js';
import type { Location } from './declarations.js';

/** Rejects keys the API does not know, so a typo is not silently ignored. */
export function checkOptionKeys(
  options: object,
  allowed: readonly string[],
  method: string,
  location: Location,
): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new UserError(`${location}: ${method} takes an options object`);
  }
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const suggestion = nearestName(key, allowed);
    const hint = suggestion
      ? ` (did you mean '${suggestion}'?)`
      : ` (known: ${allowed.join(', ')})`;
    throw new UserError(`${location}: ${method}: unknown option '${key}'${hint}`);
  }
}
