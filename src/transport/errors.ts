import { UserError } from '../util/user-error.js';

/** The host could not be reached at all (as opposed to refusing us): callers may repair the instance and retry. */
export class SshUnreachableError extends UserError {}

export function isUnreachable(error: unknown): error is SshUnreachableError {
  return error instanceof SshUnreachableError;
}
