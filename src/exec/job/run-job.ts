import type { JobRequest } from '../../api/job-request.js';
import { stateDirOf } from '../../layout/local-state.js';
import { traced, tracedStep } from '../trace/step-trace.js';
import { isLocalMode } from './mode.js';

/**
 * One build step: here in local mode, else through the project's agent (which keeps the
 * connections to instances and the channel to an engine). Returns the command's exit status.
 */
export async function runJob(request: JobRequest): Promise<number> {
  const kind = isLocalMode() ? 'local' : 'remote';
  return traced(tracedStep(request, kind, stateDirOf(request)), async () => {
    if (kind === 'local') return (await import('./local-job.js')).runLocalJob(request);
    return (await import('../agent/client.js')).runThroughAgent(request);
  });
}
