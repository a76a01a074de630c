import type { JobRequest } from '../../api/job-request.js';
import { stateDirOf } from '../../layout/local-state.js';
import { thisProcessOrigin, traced, tracedStep } from '../trace/step-trace.js';
import { declineCommandRunner, type CommandRunner } from './local-command.js';
import { isLocalMode } from './mode.js';

/**
 * One build step: here in local mode (its command run by the native client when it offers to),
 * else through the project's agent (which keeps the connections to instances and the channel to
 * an engine). Returns the command's exit status.
 */
export async function runJob(request: JobRequest, runner?: CommandRunner): Promise<number> {
  const kind = isLocalMode() ? 'local' : 'remote';
  if (kind === 'remote') declineCommandRunner(runner);
  // The native client (this process's parent) runs the command: the build sees it as the step.
  const origin = runner && { ...thisProcessOrigin(), pid: runner.clientPid };
  const step = tracedStep(request, kind, stateDirOf(request));
  return traced(
    step,
    async () => {
      if (kind === 'local') return (await import('./local-job.js')).runLocalJob(request, runner);
      return (await import('../agent/client.js')).runThroughAgent(request);
    },
    origin,
  );
}
