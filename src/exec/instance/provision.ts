import { randomUUID } from 'node:crypto';
import { basename, resolve } from 'node:path';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { createEc2Client } from '../../cloud/ec2-client.js';
import {
  consoleHostKeys,
  describeInstance,
  launchInstance,
  startInstance,
  terminateInstances,
  waitUntilRunning,
  waitUntilStopped,
  type InstanceView,
} from '../../cloud/instances.js';
import { PROFILE_TAG, PROJECT_TAG, TOOL_NAME, TOOL_TAG } from '../../cloud/tags.js';
import { userDataWithGuard } from '../../cloud/user-data.js';
import type { Transport } from '../../transport/index.js';
import { isUserError, UserError } from '../../util/user-error.js';
import { instanceLockPath } from '../../layout/local-state.js';
import { withFileLock } from './file-lock.js';
import { bootGuardScript, DEFAULT_IDLE_MINUTES, startWatchdogCommand } from './idle-watchdog.js';
import {
  forgetInstance,
  isReady,
  readInstanceState,
  writeInstanceState,
  type InstanceState,
} from './instance-state.js';
import type { JobProfile } from '../select-profile.js';
import { printProgress, type Progress, warn } from '../progress.js';
import { connectToInstance, isUnreachable } from './ssh-target.js';
import { prepareEnvironment } from './environment.js';
import { inPhase, phase } from '../trace/step-trace.js';
import { environmentId } from '../../api/profile.js';

export interface ReadyInstance {
  state: InstanceState;
  transport: Transport;
}

const elapsed = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

const idleMinutesOf = (job: JobProfile): number =>
  job.profile.options.idleMinutes ?? DEFAULT_IDLE_MINUTES;

/** Launches with our tags and the boot guard in UserData, and records the instance before anything can fail. */
async function launch(client: EC2Client, job: JobProfile, progress: Progress): Promise<string> {
  const args = job.profile.instanceArgs;
  if (args.InstanceInitiatedShutdownBehavior !== 'terminate') {
    const behavior = JSON.stringify(args.InstanceInitiatedShutdownBehavior ?? 'stop');
    warn(
      `instanceArgs.InstanceInitiatedShutdownBehavior is ${behavior}, so idle shutdown only stops the instance (its disk is still billed); use 'terminate'`,
    );
  }
  const projectDir = resolve(job.baseDir);
  const tags = [
    { Key: 'Name', Value: `${TOOL_NAME} ${basename(projectDir)}` },
    { Key: TOOL_TAG, Value: TOOL_NAME },
    { Key: PROJECT_TAG, Value: projectDir },
    { Key: PROFILE_TAG, Value: job.id },
  ];
  const idleMinutes = idleMinutesOf(job);
  const guard = bootGuardScript(job.profile.sshArgs.username ?? 'root', idleMinutes);
  const UserData = userDataWithGuard(args.UserData, guard);
  // Announced whatever the verbosity: it is what costs money and time.
  printProgress(
    `launching ${args.InstanceType ?? 'an instance'} from ${args.ImageId ?? 'the default image'}`,
  );
  const instanceId = await launchInstance(
    client,
    { ...args, UserData },
    tags,
    `${TOOL_NAME}-${job.id}-${randomUUID()}`,
  );
  const region = await client.config.region();
  const launchedAt = new Date().toISOString();
  writeInstanceState(job.stateDir, job.id, {
    instanceId,
    address: '',
    region,
    launchedAt,
    idleMinutes,
    phase: 'launching',
  });
  progress(`${instanceId} launched; waiting for it to run`);
  return instanceId;
}

/** Connects to a running instance for the first time (or again after it was repaired) and starts its watchdog. */
async function reach(
  job: JobProfile,
  client: EC2Client,
  view: InstanceView,
  progress: Progress,
  retries = job.profile.options.sshRetries ?? 10,
): Promise<ReadyInstance> {
  const started = Date.now();
  const pinned = await consoleHostKeys(client, view.instanceId);
  const idleMinutes = idleMinutesOf(job);
  const state: InstanceState = {
    instanceId: view.instanceId,
    address: view.address!,
    region: await client.config.region(),
    launchedAt: (view.launchTime ?? new Date()).toISOString(),
    idleMinutes,
    phase: 'launching',
  };
  writeInstanceState(job.stateDir, job.id, state);
  progress(`${view.instanceId} running at ${state.address}; waiting for SSH`);
  const transport = await connectToInstance(job, state, { pinned, retries, progress });
  const watchdog = await transport.exec(startWatchdogCommand(idleMinutes));
  if (watchdog !== 0) {
    await transport.close();
    throw new UserError(
      `could not start the idle watchdog on ${view.instanceId} (exit ${watchdog})`,
    );
  }
  const ready: InstanceState = { ...state, hostKey: transport.hostKey, phase: 'ready' };
  writeInstanceState(job.stateDir, job.id, ready);
  progress(
    `${view.instanceId} ready (SSH in ${elapsed(started)}); it terminates itself after ${idleMinutes} idle minutes`,
  );
  return { state: ready, transport };
}

/**
 * An instance this process launched but could not make ready is terminated (unless options.keepOnFailure), and
 * the state says what happened, for `status`; the error says what became of the instance.
 */
async function abandon(
  client: EC2Client,
  job: JobProfile,
  instanceId: string,
  error: unknown,
): Promise<unknown> {
  const message = (error as Error).message;
  const known = readInstanceState(job.stateDir, job.id);
  const recorded = known ?? {
    instanceId,
    address: '',
    region: '',
    launchedAt: new Date().toISOString(),
    idleMinutes: idleMinutesOf(job),
  };
  const state = { ...recorded, failure: message };
  if (job.profile.options.keepOnFailure) {
    writeInstanceState(job.stateDir, job.id, { ...state, phase: 'launching' });
    return isUserError(error)
      ? new UserError(`${message}; kept ${instanceId} running (options.keepOnFailure)`)
      : error;
  }
  try {
    await terminateInstances(client, [instanceId]);
  } catch (failure) {
    writeInstanceState(job.stateDir, job.id, { ...state, phase: 'launching' });
    return new UserError(
      `${message}; terminating ${instanceId} failed too (${(failure as Error).message}): run remote-exec down`,
    );
  }
  writeInstanceState(job.stateDir, job.id, { ...state, phase: 'terminated' });
  return isUserError(error)
    ? new UserError(`${message}; terminated ${instanceId} (set options.keepOnFailure to keep it)`)
    : error;
}

async function launchAndReach(
  client: EC2Client,
  job: JobProfile,
  progress: Progress,
): Promise<ReadyInstance> {
  const instanceId = await launch(client, job, progress);
  try {
    return await reach(job, client, await waitUntilRunning(client, instanceId), progress);
  } catch (error) {
    throw await abandon(client, job, instanceId, error);
  }
}

/** The recorded instance made ready again (started if stopped), or undefined when it is gone and forgotten. */
async function repair(
  client: EC2Client,
  job: JobProfile,
  known: InstanceState,
  progress: Progress,
): Promise<ReadyInstance | undefined> {
  const seen =
    known.phase === 'terminated' ? undefined : await describeInstance(client, known.instanceId);
  if (seen?.state === 'stopping' || seen?.state === 'stopped') {
    progress(`${known.instanceId} is ${seen.state}; starting it`);
    if (seen.state === 'stopping') await waitUntilStopped(client, known.instanceId);
    await startInstance(client, known.instanceId);
  } else if (seen?.state !== 'running' && seen?.state !== 'pending') {
    if (known.phase !== 'terminated')
      progress(`${known.instanceId} is ${seen?.state ?? 'gone'}; replacing it`);
    forgetInstance(job.stateDir, job.id);
    return undefined;
  }
  // An instance that was ready and still runs is not booting: a few attempts tell whether it answers.
  const retries = seen.state === 'running' && isReady(known) ? 2 : undefined;
  try {
    return await reach(
      job,
      client,
      await waitUntilRunning(client, known.instanceId),
      progress,
      retries,
    );
  } catch (error) {
    if (!isUnreachable(error)) throw error;
    // AWS says it runs, yet SSH cannot get there (sshd died, a network fault): only a new instance helps.
    printProgress(
      `${known.instanceId} is running but unreachable (${error.message}); terminating it and launching another`,
    );
    await terminateInstances(client, [known.instanceId]);
    forgetInstance(job.stateDir, job.id);
    return undefined;
  }
}

/** The instance made ready for the profile's requires and setup, unless it already was. */
async function prepared(
  job: JobProfile,
  ready: ReadyInstance,
  failedWhileWaiting: boolean,
): Promise<ReadyInstance> {
  const environment = environmentId(job.profile);
  if (environment === undefined || ready.state.environment === environment) return ready;
  const failed = ready.state.environmentFailure;
  try {
    // Another step just failed to prepare it so: the same error, not the same wait and output again.
    if (failedWhileWaiting && failed?.environment === environment)
      throw new UserError(failed.message);
    const { options } = job.profile;
    await inPhase('setup', () =>
      prepareEnvironment(ready.transport, options, ready.state.instanceId),
    );
  } catch (error) {
    await ready.transport.close();
    if (isUserError(error) && !failedWhileWaiting) {
      const environmentFailure = { environment, message: error.message };
      writeInstanceState(job.stateDir, job.id, { ...ready.state, environmentFailure });
    }
    throw error;
  }
  const state = { ...ready.state, environment, environmentFailure: undefined };
  writeInstanceState(job.stateDir, job.id, state);
  return { state, transport: ready.transport };
}

/**
 * The profile's instance, connected and prepared. A job on a healthy, prepared instance makes no AWS call (so
 * credentials that expire mid-build never break it); only a missing, unreachable or unprepared instance takes
 * the lock, and concurrent jobs waiting on that lock then reuse what the first one launched and prepared.
 */
export async function reachInstance(job: JobProfile, progress: Progress): Promise<ReadyInstance> {
  const environment = environmentId(job.profile);
  const isPrepared = (state: InstanceState) =>
    environment === undefined || state.environment === environment;
  const known = readInstanceState(job.stateDir, job.id);
  if (known && isReady(known) && isPrepared(known)) {
    try {
      return {
        state: known,
        transport: await connectToInstance(job, known, { retries: 1, progress }),
      };
    } catch (error) {
      if (!isUnreachable(error)) throw error;
    }
  }
  const waiting = phase('wait');
  let waited = false;
  return withFileLock(
    instanceLockPath(job.stateDir, job.id),
    async () => {
      if (waited) waiting();
      const current = readInstanceState(job.stateDir, job.id);
      const changedWhileWaiting =
        current !== undefined && JSON.stringify(current) !== JSON.stringify(known);
      // Untried when only its preparation kept the fast path away.
      const untried = current && isReady(current) && (changedWhileWaiting || !isPrepared(current));
      if (current && untried) {
        try {
          const transport = await connectToInstance(job, current, { retries: 2, progress });
          return await prepared(job, { state: current, transport }, changedWhileWaiting);
        } catch (error) {
          if (!isUnreachable(error)) throw error;
        }
      }
      // Another job's launch failed while this one waited: the same failure again, not one more instance.
      if (current?.phase === 'terminated' && changedWhileWaiting) {
        throw new UserError(
          `${current.failure ?? 'provisioning failed'}; terminated ${current.instanceId}`,
        );
      }
      const client = await createEc2Client(job.profile.clientArgs);
      const ready = await inPhase(
        'provision',
        async () =>
          (current && (await repair(client, job, current, progress))) ??
          launchAndReach(client, job, progress),
      );
      return prepared(job, ready, false);
    },
    (holder) => {
      waited = true;
      printProgress(`waiting for ${holder}, which is provisioning this instance`);
    },
  );
}
