import type { JobRequest } from '../../api/job-request.js';
import { isLocalMode } from './mode.js';

/** One build step: here in local mode, else on the profile's instance. Returns the command's exit status. */
export async function runJob(request: JobRequest): Promise<number> {
  if (isLocalMode()) return (await import('./local-job.js')).runLocalJob(request);
  return (await import('./remote-job.js')).runRemoteJob(request);
}
