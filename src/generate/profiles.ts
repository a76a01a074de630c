import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Connection } from '../describe/declarations.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export const PROFILES_DIR = 'profiles';

/** What `remote-exec` reads for one connection: the user's arguments as given, never any credential or key. */
export interface Profile {
  clientArgs: Connection['clientArgs'];
  instanceArgs: Connection['instanceArgs'];
  sshArgs: Connection['sshArgs'];
  options: Connection['options'];
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Equal connections share one id (and so one instance); the id is stable across regenerations. */
export function profileId(connection: Connection): string {
  return createHash('sha256').update(canonicalJson(connection)).digest('hex').slice(0, 12);
}

export function profilePath(stateDir: string, id: string): string {
  return join(stateDir, PROFILES_DIR, `${id}.json`);
}

/** Always rewritten: the profiles are outputs of build.ninja's generator edge, so they must be as new as build.ninja. */
export function writeProfile(stateDir: string, id: string, connection: Connection): void {
  const profile: Profile = { ...connection };
  writeFileAtomic(profilePath(stateDir, id), `${JSON.stringify(profile, null, 2)}\n`);
}
