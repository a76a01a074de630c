import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHUTDOWN_SCRIPT, SUDO_SCRIPT } from './instance-tools.js';
import { LOGIN_USER, type UserIds } from './login-user.js';

// What an instance "has on disk", in a folder of the emulator's: its home, its /etc/ssh (host key, sshd_config,
// and the control folder the emulated `shutdown` writes to) and the emulated sudo and shutdown commands.

export interface InstanceDisk {
  dir: string;
  home: string;
  etcSsh: string;
  bin: string;
  /** Set on first boot, when cloud-init would generate it. */
  hostKey?: { publicKey: string; fingerprint: string };
}

export function sshdConfig(address: string, port: number): string {
  return [
    `ListenAddress ${address}`,
    `Port ${port}`,
    'HostKey /etc/ssh/ssh_host_ed25519_key',
    'PidFile none',
    'AuthorizedKeysFile .ssh/authorized_keys',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin no',
    `AllowUsers ${LOGIN_USER}`,
    'PrintMotd no',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

/** The disk as launched from the image: the key pair authorized, no host key yet. */
export function prepareDisk(dir: string, authorizedKey: string, owner: UserIds): InstanceDisk {
  const disk = {
    dir,
    home: join(dir, 'home'),
    etcSsh: join(dir, 'etc-ssh'),
    bin: join(dir, 'bin'),
  };
  const control = join(disk.etcSsh, 'control');
  for (const folder of [join(disk.home, '.ssh'), control, disk.bin])
    mkdirSync(folder, { recursive: true });
  chmodSync(control, 0o777);
  writeFileSync(join(disk.home, '.ssh/authorized_keys'), authorizedKey, { mode: 0o600 });
  for (const path of [disk.home, join(disk.home, '.ssh'), join(disk.home, '.ssh/authorized_keys')])
    chownSync(path, owner.uid, owner.gid);
  writeFileSync(join(disk.bin, 'sudo'), SUDO_SCRIPT, { mode: 0o755 });
  writeFileSync(join(disk.bin, 'shutdown'), SHUTDOWN_SCRIPT, { mode: 0o755 });
  return disk;
}

/** A fresh host key on first boot, named after the host as cloud-init's are; later boots keep it. */
export function ensureHostKey(
  disk: InstanceDisk,
  hostname: string,
): { publicKey: string; fingerprint: string } {
  const path = join(disk.etcSsh, 'ssh_host_ed25519_key');
  if (!existsSync(path))
    execFileSync(
      'ssh-keygen',
      ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${hostname}`, '-f', path],
      { stdio: 'pipe' },
    );
  disk.hostKey ??= {
    publicKey: readFileSync(`${path}.pub`, 'utf8').trim(),
    fingerprint: execFileSync('ssh-keygen', ['-l', '-f', `${path}.pub`], {
      encoding: 'utf8',
    }).trim(),
  };
  return disk.hostKey;
}
