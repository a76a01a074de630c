import { relative } from 'node:path';
import type { ProfileSelector } from '../../api/job-request.js';
import { createEc2Client } from '../../cloud/ec2-client.js';
import { describeInstance } from '../../cloud/instances.js';
import { isUserError } from '../../util/user-error.js';
import { INSTANCE_PATHS } from '../../layout/instance-home.js';
import { stateDirOf, tracePath } from '../../layout/local-state.js';
import { summarizeBuild } from '../trace/build-summary.js';
import { readTrace } from '../trace/trace-file.js';
import { formatDuration } from '../../util/duration.js';
import { isReady, readInstanceState, type InstanceState } from '../instance/instance-state.js';
import type { JobProfile } from '../select-profile.js';
import { profilesInManifest, selectProfiles } from './profile-list.js';
import { quiet } from '../progress.js';
import { connectToInstance } from '../instance/ssh-target.js';
import { execOutput } from '../instance/exec-output.js';

const ACTIVITY = `${INSTANCE_PATHS}; echo $(date +%s) $(stat -c %Y "$activity") $(cat "$jobs_log" 2>/dev/null | wc -l)`;

async function activity(job: JobProfile, state: InstanceState): Promise<string> {
  try {
    const transport = await connectToInstance(job, state, { retries: 0, progress: quiet });
    const text = await execOutput(transport, ACTIVITY);
    await transport.close();
    const [now, last, jobs] = text.trim().split(/\s+/).map(Number);
    return `idle ${formatDuration(now! - last!)} of ${formatDuration(state.idleMinutes * 60)}, ${jobs} job${jobs === 1 ? '' : 's'} run`;
  } catch (error) {
    return `SSH: ${(error as Error).message}`;
  }
}

async function statusLine(job: JobProfile): Promise<string> {
  let state: InstanceState | undefined;
  try {
    state = readInstanceState(job.stateDir, job.id);
  } catch (error) {
    if (isUserError(error)) return error.message;
    throw error;
  }
  if (!state) return 'no instance';
  if (state.phase === 'terminated')
    return `${state.instanceId} terminated (${state.failure ?? 'after a failure'})`;
  const client = await createEc2Client(job.profile.clientArgs);
  const seen = await describeInstance(client, state.instanceId);
  const parts = [
    `${state.instanceId}${state.address ? ` at ${state.address}` : ''}`,
    seen?.state ?? 'unknown to AWS',
  ];
  if (seen?.launchTime)
    parts.push(`up ${formatDuration((Date.now() - seen.launchTime.getTime()) / 1000)}`);
  if (seen?.state === 'running' && state.address) parts.push(await activity(job, state));
  if (!isReady(state)) parts.push('not yet reached over SSH');
  if (state.failure) parts.push(`last failure: ${state.failure}`);
  return parts.join(', ');
}

export interface StatusRequest extends ProfileSelector {
  /** Summarize the last build's trace instead; needs no AWS credentials. */
  last?: boolean;
}

function lastBuild(selector: ProfileSelector): number {
  const stateDir = stateDirOf(selector);
  const events = readTrace(stateDir);
  process.stdout.write(
    events
      ? `${summarizeBuild(events)}; trace: ${relative(process.cwd(), tracePath(stateDir))}\n`
      : `no build traced yet in ${stateDir}\n`,
  );
  return 0;
}

/** One line per profile: which instance, where, its AWS state, uptime, idle time against the limit, jobs run. */
export async function runStatus(request: StatusRequest): Promise<number> {
  const { last, ...selector } = request;
  if (last) return lastBuild(selector);
  const jobs = selectProfiles(selector, 'aws');
  const named =
    selector.profile || selector.config ? undefined : profilesInManifest(jobs[0]!.stateDir);
  for (const job of jobs) {
    const stale =
      named && !named.has(job.id)
        ? ' (no longer in build.ninja: remote-exec prune removes it)'
        : '';
    process.stdout.write(`${job.id}: ${await statusLine(job)}${stale}\n`);
  }
  return 0;
}
