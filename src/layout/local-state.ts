import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

// The one description of the local state folder, `.scons-remote/` beside build.ninja or a remote.json:
//   profiles/<id>.json      connection arguments per profile (written by remote-gen, no secrets)
//   instances/<id>.json     what is known of the profile's instance; instances/<id>.lock its lock
//   ready/<id>[.<env>]      stamp build.ninja's provision edge touches once the instance is ready (and
//                           prepared as the environment id <env> of requires and setup says)
//   scratch/<job>/          outputs of one job while they are checked, before they are placed
//   known_hosts             host keys for `remote-exec ssh`
//   agent/<key>.sock        the project's agent (one per provisioning environment, see agent-key.ts);
//                           .log its log, .pid its process id, .lock taken to start it
//   hash-cache.json         SHA-256 digests of input files, by path and stat fingerprint
//   trace.json              Chrome trace events of the last build's steps; trace.lock starts a new one
//   type-checked/<id>.json  a description's last successful type-check (id: hash of its path)
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

function readyDir(stateDir: string): string {
  return join(stateDir, 'ready');
}

export function readyStampPath(stateDir: string, profileId: string, environment?: string): string {
  return join(readyDir(stateDir), environment ? `${profileId}.${environment}` : profileId);
}

/** Every ready stamp of a profile, whatever environment it was made for. */
export function readyStampsOf(stateDir: string, profileId: string): string[] {
  const dir = readyDir(stateDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name === profileId || name.startsWith(`${profileId}.`))
    .map((name) => join(dir, name));
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

export function tracePath(stateDir: string): string {
  return join(stateDir, 'trace.json');
}

export function traceLockPath(stateDir: string): string {
  return join(stateDir, 'trace.lock');
}

export function typeCheckRecordPath(stateDir: string, descriptionId: string): string {
  return join(stateDir, 'type-checked', `${descriptionId}.json`);
}

export function globStatePath(stateDir: string, manifest: string): string {
  return join(stateDir, `${manifest}.globs.json`);
}

export function gitignorePath(stateDir: string): string {
  return join(stateDir, '.gitignore');
}

/** The state folder of this folder or of the nearest parent that has profiles, as git finds `.git`. */
export function defaultStateDir(cwd = process.cwd()): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(profilesDir(join(dir, STATE_DIR)))) return join(dir, STATE_DIR);
    if (dirname(dir) === dir) return resolve(cwd, STATE_DIR);
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

/** The state folder a step uses: --state-dir, else beside remote.json, else the nearest one. */
export function stateDirOf(
  selector: { config?: string; stateDir?: string },
  cwd = process.cwd(),
): string {
  if (selector.stateDir) return resolve(cwd, selector.stateDir);
  if (selector.config) return join(dirname(resolve(cwd, selector.config)), STATE_DIR);
  return defaultStateDir(cwd);
}
