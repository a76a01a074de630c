import { closeSync, mkdirSync, openSync, utimesSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ProfileSelector } from '../../api/job-request.js';
import { isLocalMode } from '../job/mode.js';
import { printProgress } from '../progress.js';

export interface UpRequest extends ProfileSelector {
  stamp?: string;
}

function touch(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  closeSync(openSync(path, 'a'));
  const now = new Date();
  utimesSync(path, now, now);
}

/**
 * Provisions the profile's instance ahead of the jobs; build.ninja runs this in the console pool so the user
 * sees progress live. In local mode there is nothing to provision.
 */
export async function runUp(request: UpRequest): Promise<number> {
  if (!isLocalMode()) {
    const { reachInstance } = await import('../instance/provision.js');
    const { selectProfiles } = await import('./profile-list.js');
    const { traced } = await import('../trace/step-trace.js');
    for (const job of selectProfiles(request)) {
      const up = async () => {
        const { state, transport } = await reachInstance(job, printProgress);
        await transport.close();
        printProgress(`${state.instanceId} is up at ${state.address}`);
        return 0;
      };
      // Only build.ninja's provision edge (the one with a stamp) is part of a build's trace.
      const step = {
        stateDir: job.stateDir,
        kind: 'provision',
        label: `PROVISION ${job.id}`,
      } as const;
      await (request.stamp ? traced(step, up) : up());
    }
  }
  if (request.stamp) touch(request.stamp);
  return 0;
}
