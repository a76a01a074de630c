import { isLocalMode } from './mode.js';
import type { ProfileSelector } from './job-profile.js';

export interface JobRequest extends ProfileSelector {
  inputs: string[];
  outputs: string[];
  /** The command line for the remote shell, as ssh takes it: the words after `--` joined by spaces. */
  command: string;
  verbose: boolean;
}

/** One build step: here in local mode, else on the profile's instance. Returns the command's exit status. */
export async function runJob(request: JobRequest): Promise<number> {
  if (isLocalMode()) return (await import('./local-job.js')).runLocalJob(request);
  return (await import('./remote-job.js')).runRemoteJob(request);
}
