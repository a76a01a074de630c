import type { JobRequest } from '../../api/job-request.js';
import { stateDirOf } from '../../layout/local-state.js';
import { traced } from '../trace/step-trace.js';
import { isLocalMode } from './mode.js';

/**
 * One build step: here in local mode, as an action on a Remote Execution API engine when its
 * profile names one, else through the project's agent. Returns the command's exit status.
 */
export async function runJob(request: JobRequest): Promise<number> {
  const kind = isLocalMode() ? 'local' : 'remote';
  const { inputs, outputs, command } = request;
  const label = outputs.length > 0 ? outputs.join(' ') : command;
  const step = { stateDir: stateDirOf(request), kind, label, inputs, outputs, command } as const;
  return traced(step, async () => {
    if (kind === 'local') return (await import('./local-job.js')).runLocalJob(request);
    // The agent keeps SSH connections to instances; an engine step opens its own gRPC channel
    // for now, until the agent holds one channel for every step of a build.
    // Imported here: a local step reads no profile, and the profile's module loads node:crypto.
    const engine = (await import('../select-profile.js')).selectEngine(request);
    if (engine) return (await import('./reapi-job.js')).runReapiJob(request, engine);
    return (await import('../agent/client.js')).runThroughAgent(request);
  });
}
