import { resolve } from 'node:path';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ProfileSelector } from '../../api/job-request.js';
import { createEc2Client } from '../../cloud/ec2-client.js';
import { describeInstance, findOurInstances, terminateInstances } from '../../cloud/instances.js';
import { PROFILE_TAG, PROJECT_TAG } from '../../cloud/tags.js';
import type { ClientArgs } from '../../api/connection.js';
import { isUserError } from '../../util/user-error.js';
import {
  forgetInstance,
  readInstanceState,
  UnreadableStateError,
} from '../instance/instance-state.js';
import type { JobProfile } from '../select-profile.js';
import { selectProfiles } from './profile-list.js';
import { printProgress } from '../progress.js';

export interface DownRequest extends ProfileSelector {
  all: boolean;
}

/** Terminates it unless AWS no longer has it running; says which. */
async function terminate(client: EC2Client, instanceId: string, what: string): Promise<void> {
  const seen = await describeInstance(client, instanceId);
  if (!seen || seen.state === 'terminated' || seen.state === 'shutting-down') {
    printProgress(
      `${instanceId} (${what}) is already ${seen?.state ?? 'gone: AWS no longer knows it'}; forgotten`,
    );
    return;
  }
  await terminateInstances(client, [instanceId]);
  printProgress(`terminated ${instanceId} (${what})`);
}

/**
 * The profile's recorded instance and any other one tagged with this project and profile (launched by a step
 * that was killed before it recorded it, or recorded in a state file that is now unreadable).
 */
export async function downProfile(job: JobProfile): Promise<void> {
  let recorded: string | undefined;
  try {
    const state = readInstanceState(job.stateDir, job.id);
    if (state?.phase !== 'terminated') recorded = state?.instanceId;
  } catch (error) {
    if (!(error instanceof UnreadableStateError)) throw error;
    printProgress(`${job.id}: ${error.message.split(';')[0]}; looking the instance up by its tags`);
  }
  const client = await createEc2Client(job.profile.clientArgs);
  const tagged = await findOurInstances(client, {
    [PROJECT_TAG]: resolve(job.baseDir),
    [PROFILE_TAG]: job.id,
  });
  const ids = new Set([
    ...(recorded ? [recorded] : []),
    ...tagged.map((instance) => instance.instanceId),
  ]);
  for (const id of ids) await terminate(client, id, job.id);
  if (ids.size === 0) printProgress(`${job.id}: no instance`);
  forgetInstance(job.stateDir, job.id);
}

/** Every instance tagged by scons-remote, in each region (or endpoint) the project's profiles use. */
async function downAll(jobs: readonly JobProfile[]): Promise<void> {
  const clientArgsSeen = new Map<string, ClientArgs>();
  for (const job of jobs)
    clientArgsSeen.set(JSON.stringify(job.profile.clientArgs), job.profile.clientArgs);
  if (clientArgsSeen.size === 0) clientArgsSeen.set('{}', {});
  for (const clientArgs of clientArgsSeen.values()) {
    const client = await createEc2Client(clientArgs);
    const found = await findOurInstances(client);
    if (found.length > 0)
      await terminateInstances(
        client,
        found.map((instance) => instance.instanceId),
      );
    for (const instance of found)
      printProgress(
        `terminated ${instance.instanceId} (tagged by scons-remote, ${instance.state})`,
      );
    if (found.length === 0)
      printProgress(`no instance tagged by scons-remote in ${await client.config.region()}`);
  }
}

function projectProfiles(request: DownRequest): JobProfile[] {
  try {
    return selectProfiles(request, 'aws');
  } catch (error) {
    // --all works outside any project too, with the SDK's defaults.
    if (request.all && !request.profile && !request.config && isUserError(error)) return [];
    throw error;
  }
}

/** Terminates this project's instances; with --all, every instance tagged by scons-remote in the region. */
export async function runDown(request: DownRequest): Promise<number> {
  const jobs = projectProfiles(request);
  for (const job of jobs) await downProfile(job);
  if (request.all) await downAll(jobs);
  return 0;
}
