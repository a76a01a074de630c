import { resolve } from 'node:path';
import type { JobMessage } from '../../api/agent-protocol.js';
import type { JobRequest } from '../../api/job-request.js';
import { credentialVariables } from '../../reapi/engine-options.js';
import { stepPaths } from '../job/step-paths.js';
import { heartbeatSeconds } from '../job/supervised-step.js';
import { selectEngine, selectProfile } from '../select-profile.js';

/**
 * A step's request checked (its mistakes are one line before anything starts) and made into the job
 * the agent runs: paths absolute where the agent needs them, since it runs in its own folder and
 * environment. Used by the node client, and by the agent for the native client's steps. Whether the
 * inputs exist is told by the job, which stats them anyway (before reaching any instance).
 */
export function jobMessage(
  request: JobRequest,
  cwd: string,
  env: NodeJS.ProcessEnv,
): JobMessage & { request: { stateDir: string } } {
  const engine = selectEngine(request, cwd);
  const job = engine ?? selectProfile(request, 'ssh', cwd);
  stepPaths(job.baseDir, cwd, request.inputs, request.outputs, request.depfile);
  return {
    type: 'job',
    request: {
      ...request,
      config: request.config === undefined ? undefined : resolve(cwd, request.config),
      stateDir: job.stateDir,
    },
    cwd,
    heartbeatSeconds: heartbeatSeconds(env),
    environment: engine && credentialVariables(engine.options, env),
  };
}
