import { createEc2Client } from '../cloud/ec2-client.js';
import { findOurInstances, terminateInstances } from '../cloud/instances.js';
import { forgetInstance, readInstanceState } from './instance-state.js';
import type { ProfileSelector } from './job-profile.js';
import { selectProfiles } from './profile-list.js';
import { printProgress } from './progress.js';

export interface DownRequest extends ProfileSelector {
  all: boolean;
}

/** Terminates this project's instances; with --all, every instance tagged by scons-remote in the region. */
export async function runDown(request: DownRequest): Promise<number> {
  const jobs = request.all && !request.profile && !request.config ? [] : selectProfiles(request);
  for (const job of jobs) {
    const state = readInstanceState(job.stateDir, job.id);
    if (!state) {
      printProgress(`${job.id}: no instance`);
      continue;
    }
    await terminateInstances(await createEc2Client(job.profile.clientArgs), [state.instanceId]);
    forgetInstance(job.stateDir, job.id);
    printProgress(`terminated ${state.instanceId} (${job.id})`);
  }
  if (request.all) {
    const client = await createEc2Client(jobs[0]?.profile.clientArgs ?? {});
    const found = await findOurInstances(client);
    if (found.length > 0) await terminateInstances(client, found.map((instance) => instance.instanceId));
    for (const instance of found) printProgress(`terminated ${instance.instanceId} (tagged by scons-remote, ${instance.state})`);
    if (found.length === 0 && jobs.length === 0) printProgress(`no instance tagged by scons-remote in ${await client.config.region()}`);
  }
  return 0;
}
