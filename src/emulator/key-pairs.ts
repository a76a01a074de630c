import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeyPair { name: string; privateKeyPath: string }

/** An ed25519 key pair in OpenSSH format, as EC2's CreateKeyPair hands out; the private half stays in the state folder. */
export function generateKeyPair(stateDir: string, name: string): { keyPair: KeyPair; publicKey: string } {
  const dir = join(stateDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKeyPath = join(dir, `${name}.pem`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', privateKeyPath], { stdio: 'pipe' });
  return { keyPair: { name, privateKeyPath }, publicKey: readFileSync(`${privateKeyPath}.pub`, 'utf8').trim() };
}
