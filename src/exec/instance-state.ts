import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';

/** What a job needs to reach a profile's instance without asking AWS. Holds no credential and no key. */
export interface InstanceState {
  instanceId: string;
  address: string;
  region: string;
  launchedAt: string;
  /** The SSH host key fingerprint (SHA256:…), pinned at first connection or from the console. */
  hostKey?: string;
  idleMinutes: number;
}

export function instancesDir(stateDir: string): string {
  return join(stateDir, 'instances');
}

function statePath(stateDir: string, profileId: string): string {
  return join(instancesDir(stateDir), `${profileId}.json`);
}

export function lockPath(stateDir: string, profileId: string): string {
  return join(instancesDir(stateDir), `${profileId}.lock`);
}

export function readInstanceState(stateDir: string, profileId: string): InstanceState | undefined {
  const path = statePath(stateDir, profileId);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as InstanceState;
  } catch {
    return undefined;
  }
}

export function writeInstanceState(stateDir: string, profileId: string, state: InstanceState): void {
  writeFileAtomic(statePath(stateDir, profileId), `${JSON.stringify(state, null, 2)}\n`, 0o600);
}

export function forgetInstance(stateDir: string, profileId: string): void {
  rmSync(statePath(stateDir, profileId), { force: true });
}
