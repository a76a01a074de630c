import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeyPair {
  name: string;
  privateKeyPath: string;
}

/**
 * An ed25519 key pair in OpenSSH format, as EC2's CreateKeyPair hands out; the private half stays in the state
 * folder. A state folder used again keeps its keys, so the settings printed for it stay valid.
 */
export function generateKeyPair(
  stateDir: string,
  name: string,
): { keyPair: KeyPair; publicKey: string } {
  if (!/^[\w.-]+$/.test(name))
    throw new Error(
      `key pair names are letters, digits, '.', '_' and '-': ${JSON.stringify(name)}`,
    );
  const dir = join(stateDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKeyPath = join(dir, `${name}.pem`);
  if (!existsSync(privateKeyPath))
    execFileSync(
      'ssh-keygen',
      ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', privateKeyPath],
      { stdio: 'pipe' },
    );
  return {
    keyPair: { name, privateKeyPath },
    publicKey: readFileSync(`${privateKeyPath}.pub`, 'utf8').trim(),
  };
}
