import type { InstanceDisk } from './instance-disk.js';

/**
 * What cloud-init prints to the serial console once it generated the host keys: the fingerprints block, through
 * `logger -t ec2` (hence the `ec2: ` prefix), then the public keys. Nothing before the first boot, as on EC2.
 */
export function consoleOutput(disk: InstanceDisk): string | undefined {
  if (!disk.hostKey) return undefined;
  return [
    'ec2: ',
    'ec2: #############################################################',
    'ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----',
    `ec2: ${disk.hostKey.fingerprint}`,
    'ec2: -----END SSH HOST KEY FINGERPRINTS-----',
    'ec2: #############################################################',
    '-----BEGIN SSH HOST KEY KEYS-----',
    disk.hostKey.publicKey,
    '-----END SSH HOST KEY KEYS-----',
    '',
  ].join('\n');
}
