import { existsSync, readFileSync, rmSync } from 'node:fs';
import { instanceStatePath as statePath, readyStampsOf } from '../../layout/local-state.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { UserError } from '../../util/user-error.js';

/**
 * What the tool knows of a profile's instance, written the moment RunInstances returns so that no instance it
 * launched is ever unknown to `status`, `down` and the next job. Holds no credential and no key.
 */
export interface InstanceState {
  instanceId: string;
  /** Where SSH reaches it; '' until AWS reports it running. */
  address: string;
  region: string;
  launchedAt: string;
  /** The SSH host key fingerprint (SHA256:…), pinned at first connection or from the console. */
  hostKey?: string;
  idleMinutes: number;
  /**
   * launching: launched, not yet reached over SSH; ready: reached, its watchdog running; terminated: this tool
   * terminated it after a failure. Absent in files of earlier versions, which were written only when ready.
   */
  phase?: 'launching' | 'ready' | 'terminated';
  /** Why provisioning last failed, for `status`. */
  failure?: string;
  /** The environment id (requires and setup) this instance was last prepared for. */
  environment?: string;
  /** Why preparing it for an environment failed, so steps waiting meanwhile fail alike. */
  environmentFailure?: { environment: string; message: string };
}

export function isReady(state: InstanceState): boolean {
  return (state.phase ?? 'ready') === 'ready' && state.address !== '';
}

/** A state file that cannot be read: never treated as "no instance", which would launch a second one. */
export class UnreadableStateError extends UserError {}

function parseState(path: string): InstanceState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason =
      error instanceof SyntaxError
        ? 'not JSON'
        : ((error as NodeJS.ErrnoException).code ?? String(error));
    throw new UnreadableStateError(
      `${path}: unreadable instance state (${reason}); run remote-exec down, which finds the instance by its tags`,
    );
  }
  const state = parsed as Partial<InstanceState> | null;
  if (typeof state?.instanceId !== 'string' || typeof state.address !== 'string') {
    throw new UnreadableStateError(
      `${path}: unreadable instance state (no instance id); run remote-exec down, which finds the instance by its tags`,
    );
  }
  return state as InstanceState;
}

export function readInstanceState(stateDir: string, profileId: string): InstanceState | undefined {
  const path = statePath(stateDir, profileId);
  return existsSync(path) ? parseState(path) : undefined;
}

export function writeInstanceState(
  stateDir: string,
  profileId: string,
  state: InstanceState,
): void {
  writeFileAtomic(statePath(stateDir, profileId), `${JSON.stringify(state, null, 2)}\n`, 0o600);
}

/** Forgets the instance, and the ready stamp that stood for it, so the next build provisions visibly. */
export function forgetInstance(stateDir: string, profileId: string): void {
  rmSync(statePath(stateDir, profileId), { force: true });
  for (const stamp of readyStampsOf(stateDir, profileId)) rmSync(stamp, { force: true });
}
