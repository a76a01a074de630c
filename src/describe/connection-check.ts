import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../util/user-error.js';
import type { Location } from './declarations.js';
import type { ClientArgs, SshArgs } from './types.js';

const SECRET_SSH_FIELDS = ['privateKey', 'password', 'passphrase'] as const;

/**
 * Connection arguments are written to the state folder for the shim, so they must hold no secrets:
 * credentials come from the SDK's default chain, keys from a file path or an ssh-agent.
 */
export function checkConnectionArgs(
  clientArgs: ClientArgs | undefined,
  sshArgs: SshArgs | undefined,
  location: Location,
  baseDir = '.',
): void {
  if (clientArgs && 'credentials' in clientArgs) {
    throw new UserError(
      `${location}: clientArgs.credentials would be written to disk; leave it out and let the AWS SDK find credentials (environment, AWS_PROFILE, SSO)`,
    );
  }
  for (const field of SECRET_SSH_FIELDS) {
    if (sshArgs && field in sshArgs) {
      throw new UserError(
        `${location}: sshArgs.${field} would be written to disk; use sshArgs.privateKeyPath or sshArgs.agent instead`,
      );
    }
  }
  const keyPath = sshArgs?.privateKeyPath;
  if (keyPath !== undefined && !existsSync(resolve(baseDir, keyPath))) {
    throw new UserError(`${location}: sshArgs.privateKeyPath '${keyPath}' does not exist`);
  }
}
