import { randomUUID } from 'node:crypto';
import { basename, resolve } from 'node:path';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { createEc2Client } from '../cloud/ec2-client.js';
import { consoleHostKeys, describeInstance, launchInstance, startInstance, waitUntilRunning, waitUntilStopped, type InstanceView } from '../cloud/instances.js';
import { PROFILE_TAG, PROJECT_TAG, TOOL_NAME, TOOL_TAG } from '../cloud/tags.js';
import type { Transport } from '../transport/index.js';
import { withFileLock } from './file-lock.js';
import { DEFAULT_IDLE_MINUTES, startWatchdogCommand } from './idle-watchdog.js';
import { readInstanceState, lockPath, writeInstanceState, forgetInstance, type InstanceState } from './instance-state.js';
import type { JobProfile } from './job-profile.js';
import { type Progress, warn } from './progress.js';
import { connectToInstance, isUnreachable } from './ssh-target.js';

export interface ReadyInstance {
  state: InstanceState;
  transport: Transport;
}

const elapsed = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function launch(client: EC2Client, job: JobProfile, progress: Progress): Promise<InstanceView> {
  const args = job.profile.instanceArgs;
  if (args.InstanceInitiatedShutdownBehavior !== 'terminate') {
    warn(`instanceArgs.InstanceInitiatedShutdownBehavior is ${JSON.stringify(args.InstanceInitiatedShutdownBehavior ?? 'stop')}, so idle shutdown only stops the instance (its disk is still billed); use 'terminate'`);
  }
  const projectDir = resolve(job.baseDir);
  const tags = [
    { Key: 'Name', Value: `${TOOL_NAME} ${basename(projectDir)}` },
    { Key: TOOL_TAG, Value: TOOL_NAME },
    { Key: PROJECT_TAG, Value: projectDir },
    { Key: PROFILE_TAG, Value: job.id },
  ];
  progress(`launching ${args.InstanceType ?? 'an instance'} from ${args.ImageId ?? 'the default image'}`);
  const instanceId = await launchInstance(client, args, tags, `${TOOL_NAME}-${job.id}-${randomUUID()}`);
  progress(`${instanceId} launched; waiting for it to run`);
  return waitUntilRunning(client, instanceId);
}

/** Brings a known instance back if AWS still has it, else launches a new one. */
async function repairOrLaunch(job: JobProfile, known: InstanceState | undefined, progress: Progress): Promise<{ view: InstanceView; client: EC2Client }> {
  const client = await createEc2Client(job.profile.clientArgs);
  if (known) {
    const seen = await describeInstance(client, known.instanceId);
    if (seen?.state === 'running' || seen?.state === 'pending') return { view: await waitUntilRunning(client, known.instanceId), client };
    if (seen?.state === 'stopping' || seen?.state === 'stopped') {
      progress(`${known.instanceId} is ${seen.state}; starting it`);
      if (seen.state === 'stopping') await waitUntilStopped(client, known.instanceId);
      await startInstance(client, known.instanceId);
      return { view: await waitUntilRunning(client, known.instanceId), client };
    }
    progress(`${known.instanceId} is ${seen?.state ?? 'gone'}; replacing it`);
    forgetInstance(job.stateDir, job.id);
  }
  return { view: await launch(client, job, progress), client };
}

async function connectFresh(job: JobProfile, view: InstanceView, client: EC2Client, progress: Progress): Promise<ReadyInstance> {
  const started = Date.now();
  const pinned = await consoleHostKeys(client, view.instanceId);
  const idleMinutes = job.profile.options.idleMinutes ?? DEFAULT_IDLE_MINUTES;
  const state: InstanceState = {
    instanceId: view.instanceId,
    address: view.address!,
    region: await client.config.region(),
    launchedAt: (view.launchTime ?? new Date()).toISOString(),
    idleMinutes,
  };
  progress(`${view.instanceId} running at ${state.address}; waiting for SSH`);
  const transport = await connectToInstance(job, state, { pinned, retries: job.profile.options.sshRetries ?? 10, progress });
  const watchdog = await transport.exec(startWatchdogCommand(idleMinutes));
  if (watchdog !== 0) throw new Error(`could not start the idle watchdog on ${view.instanceId} (exit ${watchdog})`);
  writeInstanceState(job.stateDir, job.id, { ...state, hostKey: transport.hostKey });
  progress(`${view.instanceId} ready (SSH in ${elapsed(started)}); it terminates itself after ${idleMinutes} idle minutes`);
  return { state, transport };
}

/**
 * The profile's instance, connected. A job on a healthy instance makes no AWS call (so credentials that expire
 * mid-build never break it); only a missing or unreachable instance takes the lock and asks AWS, and concurrent
 * jobs waiting on that lock then reuse what the first one launched.
 */
export async function reachInstance(job: JobProfile, progress: Progress): Promise<ReadyInstance> {
  const known = readInstanceState(job.stateDir, job.id);
  if (known) {
    try {
      return { state: known, transport: await connectToInstance(job, known, { retries: 1, progress }) };
    } catch (error) {
      if (!isUnreachable(error)) throw error;
    }
  }
  return withFileLock(lockPath(job.stateDir, job.id), async () => {
    const current = readInstanceState(job.stateDir, job.id);
    if (current && current.instanceId !== known?.instanceId) {
      try {
        return { state: current, transport: await connectToInstance(job, current, { retries: 2, progress }) };
      } catch (error) {
        if (!isUnreachable(error)) throw error;
      }
    }
    const { view, client } = await repairOrLaunch(job, current, progress);
    return connectFresh(job, view, client, progress);
  }, () => progress('waiting for another job that is provisioning this instance'));
}
