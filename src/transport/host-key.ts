import { createHash } from 'node:crypto';

/** A host key's fingerprint as OpenSSH and cloud-init print it: `SHA256:` and unpadded base64. */
export function fingerprint(hostKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(hostKeyBlob).digest('base64').replace(/=+$/, '')}`;
}
