import { UserError } from '../../util/user-error.js';

/**
 * `SCONS_REMOTE_MODE`: unset or empty runs steps remotely, `local` or `remote` (any letter case) as said.
 * Anything else is refused, so a typo never silently picks a mode the user did not mean.
 */
export function isLocalMode(env: NodeJS.ProcessEnv = process.env): boolean {
  const mode = (env.SCONS_REMOTE_MODE ?? '').toLowerCase();
  if (mode === '' || mode === 'remote') return false;
  if (mode === 'local') return true;
  const given = env.SCONS_REMOTE_MODE;
  throw new UserError(
    `SCONS_REMOTE_MODE=${given} is not a mode: use 'local' or 'remote' (unset means remote)`,
  );
}
