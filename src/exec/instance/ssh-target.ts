import { resolve } from 'node:path';
import { connect, type Transport } from '../../transport/index.js';
import type { InstanceState } from './instance-state.js';
import type { JobProfile } from '../select-profile.js';
import type { Progress } from '../progress.js';

export { isUnreachable } from '../../transport/index.js';

export interface ReachOptions {
  /** Host key fingerprints the cloud published, for an instance not yet pinned. */
  pinned?: string[];
  retries: number;
  progress: Progress;
}

/** Connects with the profile's sshArgs; the key path is relative to the description's (or remote.json's) folder. */
export function connectToInstance(
  job: JobProfile,
  state: InstanceState,
  options: ReachOptions,
): Promise<Transport> {
  const { sshArgs } = job.profile;
  const hostKeys = state.hostKey ? [state.hostKey] : options.pinned;
  return connect(
    {
      host: state.address,
      sshArgs: {
        ...sshArgs,
        ...(sshArgs.privateKeyPath
          ? { privateKeyPath: resolve(job.baseDir, sshArgs.privateKeyPath) }
          : {}),
      },
      hostKeys,
    },
    {
      retries: options.retries,
      stallSeconds: job.profile.options.stallSeconds,
      onRetry: (attempt, error, delayMs) => {
        const reason = (error as NodeJS.ErrnoException).code ?? error.message;
        options.progress(
          `SSH attempt ${attempt} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)} s`,
        );
      },
    },
  );
}
