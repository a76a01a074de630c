import { randomBytes } from 'node:crypto';
import type { JobRequest } from '../../api/job-request.js';
import { hashCachePath, scratchDir } from '../../layout/local-state.js';
import type { Engine } from '../../reapi/engine.js';
import { runStepAction } from '../../reapi/run-action.js';
import type { EngineProfile } from '../select-profile.js';
import type { Cancellation } from './cancellation.js';
import { finishEngineDepfile } from './engine-depfile.js';
import { stepPaths } from './step-paths.js';
import { phase } from '../trace/step-trace.js';
import type { StepOutput } from './supervised-step.js';

/** What an engine job needs from the agent that runs it for a step's client. */
export interface EngineJobContext {
  /** The client's working directory, which relative paths of the request are relative to. */
  cwd: string;
  output: StepOutput;
  cancellation: Cancellation;
  /** The build's shared channel to the engine. */
  channel: Engine;
}

/**
 * One step as a Remote Execution API action: the same command line, inputs and outputs as on an
 * instance; the exit code comes back unchanged and outputs are placed as an instance's are.
 */
export async function runReapiJob(
  request: JobRequest,
  engine: EngineProfile,
  context: EngineJobContext,
): Promise<number> {
  const { baseDir, stateDir, options } = engine;
  const { cancellation } = context;
  const paths = stepPaths(baseDir, context.cwd, request.inputs, request.outputs, request.depfile);
  const depfile = paths.depfile;
  if (cancellation.received) return cancellation.exitStatus();
  const running = runStepAction(
    context.channel,
    {
      baseDir: paths.baseDir,
      workDir: paths.workDir,
      command: request.command,
      inputs: paths.inputs,
      outputs: paths.outputs,
      depfile,
      platform: options.platform,
      timeoutSeconds: options.timeoutSeconds,
      scratchDir: scratchDir(stateDir, randomBytes(8).toString('hex')),
      hashCacheFile: hashCachePath(stateDir),
      uploading: () => phase('upload'),
      // A client gone or cancelled is told nothing built: nothing is placed.
      abandoned: () => cancellation.received !== undefined,
      finishDepfile:
        depfile === undefined
          ? undefined
          : (scratch) => {
              const named = { name: request.depfile!, target: request.outputs[0], path: depfile };
              finishEngineDepfile(named, scratch, paths.baseDir);
            },
    },
    context.output,
  ).then((report) => report.exitCode);
  // REAPI has no way to stop an action for sure: a cancelled step answers its client at once,
  // and the action's end, whenever it comes, places nothing.
  const cancelled = new Promise<number>((resolve) =>
    cancellation.onCancel(() => resolve(cancellation.exitStatus())),
  );
  return Promise.race([running, cancelled]);
}
