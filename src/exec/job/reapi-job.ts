import { randomBytes } from 'node:crypto';
import type { JobRequest } from '../../api/job-request.js';
import { hashCachePath, scratchDir } from '../../layout/local-state.js';
import { Engine } from '../../reapi/engine.js';
import { runStepAction } from '../../reapi/run-action.js';
import { UserError } from '../../util/user-error.js';
import type { EngineProfile } from '../select-profile.js';
import { stepPaths } from './step-paths.js';

/**
 * One step as a Remote Execution API action: the same command line, inputs and outputs as on an
 * instance; the exit code comes back unchanged and outputs are placed as an instance's are.
 */
export async function runReapiJob(request: JobRequest, engine: EngineProfile): Promise<number> {
  if (request.depfile !== undefined) {
    // Its paths would be the worker's, which the engine does not tell: none could be made local.
    throw new UserError(
      `--depfile '${request.depfile}': not supported on a remote execution engine`,
    );
  }
  const { baseDir, stateDir, options } = engine;
  const paths = stepPaths(baseDir, process.cwd(), request.inputs, request.outputs);
  const channel = new Engine(options);
  try {
    const report = await runStepAction(
      channel,
      {
        baseDir: paths.baseDir,
        workDir: paths.workDir,
        command: request.command,
        inputs: paths.inputs,
        outputs: paths.outputs,
        platform: options.platform,
        timeoutSeconds: options.timeoutSeconds,
        scratchDir: scratchDir(stateDir, randomBytes(8).toString('hex')),
        hashCacheFile: hashCachePath(stateDir),
      },
      { stdout: process.stdout, stderr: process.stderr },
    );
    return report.exitCode;
  } finally {
    channel.close();
  }
}
