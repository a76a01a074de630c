import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOGIN_USER, type UserIds } from './login-user.js';

// What an instance "has on disk", in a folder of the emulator's: its home, its /etc/ssh (host key, sshd_config,
// and the control folder the emulated `shutdown` writes to) and the emulated sudo and shutdown commands.

export const CONTROL_FILE = 'control/shutdown';

const SUDO = `#!/bin/sh
# Emulated sudo: the login user may run anything, as on a stock cloud image.
exec "$@"
`;

const SHUTDOWN = `#!/bin/sh
# Emulated shutdown: asks the emulator to stop or terminate this instance, per InstanceInitiatedShutdownBehavior.
when=now
for arg in "$@"; do
  case "$arg" in
    -c) rm -f /etc/ssh/${CONTROL_FILE}; echo "Shutdown cancelled."; exit 0 ;;
    -*) ;;
    *) when=$arg; break ;;
  esac
done
case "$when" in
  now) delay=0 ;;
  +*) delay=$(( \${when#+} * 60 )) ;;
  *) echo "shutdown: unsupported time '$when'" >&2; exit 1 ;;
esac
echo "$delay" > /etc/ssh/${CONTROL_FILE}.tmp && mv /etc/ssh/${CONTROL_FILE}.tmp /etc/ssh/${CONTROL_FILE}
echo "Shutdown scheduled."
`;

export interface InstanceDisk {
  dir: string;
  home: string;
  etcSsh: string;
  bin: string;
  hostPublicKey: string;
  hostKeyFingerprint: string;
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

/** Creates the disk on first boot (fresh host key, the key pair authorized); later boots reuse it. */
export function prepareDisk(dir: string, authorizedKey: string, owner: UserIds): InstanceDisk {
  const home = join(dir, 'home');
  const etcSsh = join(dir, 'etc-ssh');
  const bin = join(dir, 'bin');
  const hostKey = join(etcSsh, 'ssh_host_ed25519_key');
  if (!existsSync(hostKey)) {
    for (const folder of [join(home, '.ssh'), join(etcSsh, 'control'), bin]) mkdirSync(folder, { recursive: true });
    chmodSync(join(etcSsh, 'control'), 0o777);
    writeFileSync(join(home, '.ssh/authorized_keys'), authorizedKey, { mode: 0o600 });
    for (const path of [home, join(home, '.ssh'), join(home, '.ssh/authorized_keys')]) chownSync(path, owner.uid, owner.gid);
    writeFileSync(join(bin, 'sudo'), SUDO, { mode: 0o755 });
    writeFileSync(join(bin, 'shutdown'), SHUTDOWN, { mode: 0o755 });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${LOGIN_USER}`, '-f', hostKey], { stdio: 'pipe' });
  }
  const hostKeyFingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${hostKey}.pub`], { encoding: 'utf8' }).trim();
  return { dir, home, etcSsh, bin, hostPublicKey: readFileSync(`${hostKey}.pub`, 'utf8').trim(), hostKeyFingerprint };
}
