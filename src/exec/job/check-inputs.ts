import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../../util/user-error.js';

export function checkInputsExist(inputs: readonly string[], cwd = process.cwd()): void {
  const missing = inputs.filter((path) => !existsSync(resolve(cwd, path)));
  if (missing.length > 0)
    throw new UserError(
      `input '${missing[0]}' does not exist${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}`,
    );
}
