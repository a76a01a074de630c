import { createEc2Client } from '../cloud/ec2-client.js';
import { describeInstance } from '../cloud/instances.js';
import { formatDuration } from './duration.js';
import { REMOTE_HOME } from './idle-watchdog.js';
import { readInstanceState } from './instance-state.js';
import type { JobProfile, ProfileSelector } from './job-profile.js';
import { selectProfiles } from './profile-list.js';
import { quiet } from './progress.js';
import { connectToInstance } from './ssh-target.js';

const ACTIVITY = `cd "$HOME/${REMOTE_HOME}" && echo $(date +%s) $(stat -c %Y activity) $(cat jobs.log 2>/dev/null | wc -l)`;

async function activity(job: JobProfile, state: NonNullable<ReturnType<typeof readInstanceState>>): Promise<string> {
  try {
    const transport = await connectToInstance(job, state, { retries: 0, progress: quiet });
    let text = '';
    const { Writable } = await import('node:stream');
    await transport.exec(ACTIVITY, { stdout: new Writable({ write: (chunk, _encoding, done) => ((text += chunk), done()) }) });
    await transport.close();
    const [now, last, jobs] = text.trim().split(/\s+/).map(Number);
    return `idle ${formatDuration(now! - last!)} of ${formatDuration(state.idleMinutes * 60)}, ${jobs} job${jobs === 1 ? '' : 's'} run`;
  } catch (error) {
    return `SSH: ${(error as Error).message}`;
  }
}

/** One line per profile: which instance, where, its AWS state, uptime, idle time against the limit, jobs run. */
export async function runStatus(selector: ProfileSelector): Promise<number> {
  for (const job of selectProfiles(selector)) {
    const state = readInstanceState(job.stateDir, job.id);
    if (!state) {
      process.stdout.write(`${job.id}: no instance\n`);
      continue;
    }
    const client = await createEc2Client(job.profile.clientArgs);
    const seen = await describeInstance(client, state.instanceId);
    const awsState = seen?.state ?? 'unknown to AWS';
    const uptime = seen?.launchTime ? `up ${formatDuration((Date.now() - seen.launchTime.getTime()) / 1000)}` : '';
    const details = seen?.state === 'running' ? await activity(job, state) : '';
    process.stdout.write(`${job.id}: ${state.instanceId} at ${state.address}, ${awsState}${uptime ? `, ${uptime}` : ''}${details ? `, ${details}` : ''}\n`);
  }
  return 0;
}
