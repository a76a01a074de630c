import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

// The one description of the local state folder, `.scons-remote/` beside build.ninja or a remote.json:
//   profiles/<id>.json      connection arguments per profile (written by remote-gen, no secrets)
//   instances/<id>.json     what is known of the profile's instance; instances/<id>.lock its lock
//   ready/<id>              stamp build.ninja's provision edge touches once the instance is ready
//   scratch/<job>/          outputs of one job while they are checked, before they are placed
//   known_hosts             host keys for `remote-exec ssh`
//   agent/<key>.sock        the project's agent (one per provisioning environment, see agent-key.ts);
//                           .log its log, .pid its process id, .lock taken to start it
//   hash-cache.json         SHA-256 digests of input files, by path and stat fingerprint
//   <manifest>.globs.json   what each glob of the description matched, for `--check-globs`
//   .gitignore              keeps all of it out of version control

export const STATE_DIR = '.scons-remote';

export function profilesDir(stateDir: string): string {
  return join(stateDir, 'profiles');
}

export function profilePath(stateDir: string, profileId: string): string {
  return join(profilesDir(stateDir), `${profileId}.json`);
}

function instancesDir(stateDir: string): string {
  return join(stateDir, 'instances');
}

export function instanceStatePath(stateDir: string, profileId: string): string {
  return join(instancesDir(stateDir), `${profileId}.json`);
}

export function instanceLockPath(stateDir: string, profileId: string): string {
  return join(instancesDir(stateDir), `${profileId}.lock`);
}

export function readyStampPath(stateDir: string, profileId: string): string {
  return join(stateDir, 'ready', profileId);
}

export function scratchDir(stateDir: string, jobId: string): string {
  return join(stateDir, 'scratch', jobId);
}

export function knownHostsPath(stateDir: string): string {
  return join(stateDir, 'known_hosts');
}

export function hashCachePath(stateDir: string): string {
  return join(stateDir, 'hash-cache.json');
}

export function globStatePath(stateDir: string, manifest: string): string {
  return join(stateDir, `${manifest}.globs.json`);
}

export function gitignorePath(stateDir: string): string {
  return join(stateDir, '.gitignore');
}

/** The state folder of this folder or of the nearest parent that has profiles, as git finds `.git`. */
export function defaultStateDir(): string {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(profilesDir(join(dir, STATE_DIR)))) return join(dir, STATE_DIR);
    if (dirname(dir) === dir) return resolve(STATE_DIR);
  }
}

function agentDir(stateDir: string): string {
  return join(stateDir, 'agent');
}

export function agentSocketPath(stateDir: string, key: string): string {
  return join(agentDir(stateDir), `${key}.sock`);
}

export function agentLogPath(stateDir: string, key: string): string {
  return join(agentDir(stateDir), `${key}.log`);
}

export function agentPidPath(stateDir: string, key: string): string {
  return join(agentDir(stateDir), `${key}.pid`);
}

export function agentLockPath(stateDir: string, key: string): string {
  return join(agentDir(stateDir), `${key}.lock`);
}
