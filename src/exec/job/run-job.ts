import type { JobRequest } from '../../api/job-request.js';
import { isLocalMode } from './mode.js';

/** One build step: here in local mode, else through the project's agent. Returns the command's exit status. */
export async function runJob(request: JobRequest): Promise<number> {
  if (isLocalMode()) return (await import('./local-job.js')).runLocalJob(request);
  return (await import('../agent/client.js')).runThroughAgent(request);
}
