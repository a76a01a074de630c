import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ProfileSelector } from '../../api/job-request.js';
import { knownHostsPath } from '../../layout/local-state.js';
import { fingerprint } from '../../transport/index.js';
import { UserError } from '../../util/user-error.js';
import { exitStatus } from '../job/exit-status.js';
import { describeProfiles, selectProfiles } from './profile-list.js';
import { printProgress } from '../progress.js';
import { reachInstance } from '../instance/provision.js';

/**
 * The host's keys as ssh-keyscan sees them, kept only if one matches the fingerprint pinned at provisioning,
 * so the interactive OpenSSH client verifies the same host the jobs did.
 */
function pinnedKnownHosts(address: string, port: number, pinned: string | undefined): string {
  const scanned = execFileSync('ssh-keyscan', ['-p', String(port), address], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines = scanned.split('\n').filter((line) => line && !line.startsWith('#'));
  const matching = lines.filter(
    (line) => fingerprint(Buffer.from(line.split(' ')[2] ?? '', 'base64')) === pinned,
  );
  if (matching.length === 0)
    throw new UserError(
      `ssh: no host key of ${address} matches the pinned ${pinned ?? '(none)'}; refusing to connect`,
    );
  return `${matching.join('\n')}\n`;
}

/** `remote-exec ssh`: an interactive shell (or the given command) on the profile's instance, with the system's ssh. */
export async function runSsh(selector: ProfileSelector, command: string[]): Promise<number> {
  const [job, ...others] = selectProfiles(selector);
  if (others.length > 0)
    throw new UserError(
      `several connection profiles here: ${describeProfiles([job!, ...others])}; choose one with --profile ID`,
    );
  const { state, transport } = await reachInstance(job!, printProgress);
  const hostKey = transport.hostKey;
  await transport.close();
  const { sshArgs } = job!.profile;
  const port = sshArgs.port ?? 22;
  const knownHosts = knownHostsPath(job!.stateDir);
  writeFileSync(knownHosts, pinnedKnownHosts(state.address, port, state.hostKey ?? hostKey), {
    mode: 0o600,
  });
  const args = [
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-p',
    String(port),
    ...(sshArgs.privateKeyPath
      ? ['-i', resolve(job!.baseDir, sshArgs.privateKeyPath), '-o', 'IdentitiesOnly=yes']
      : []),
    `${sshArgs.username ?? 'ubuntu'}@${state.address}`,
    ...command,
  ];
  const child = spawn('ssh', args, { stdio: 'inherit' });
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolvePromise(exitStatus(code, signal)));
  });
}
