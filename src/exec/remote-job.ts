import { UserError } from '../util/user-error.js';
import type { JobRequest } from './run-job.js';
import { selectProfile } from './job-profile.js';

export async function runRemoteJob(request: JobRequest): Promise<number> {
  selectProfile(request);
  throw new UserError('remote execution is not available in this version; run with SCONS_REMOTE_MODE=local');
}
