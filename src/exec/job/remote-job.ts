import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { jobDir as instanceJobDir } from '../../layout/instance-home.js';
import { scratchDir } from '../../layout/local-state.js';
import type { Transport } from '../../transport/index.js';
import { shellQuote } from '../../util/shell-quote.js';
import { UserError } from '../../util/user-error.js';
import type { Cancellation } from './cancellation.js';
import { selectProfile, type JobProfile } from '../select-profile.js';
import { placeOutputs } from './place-outputs.js';
import { printProgress, quiet, type Progress } from '../progress.js';
import type { ReadyInstance } from '../instance/provision.js';
import type { JobRequest } from '../../api/job-request.js';
import { connectToInstance } from '../instance/ssh-target.js';
import { stepPaths, writtenPaths } from './step-paths.js';
import { phase } from '../trace/step-trace.js';
import { SupervisedStep, type StepOutput } from './supervised-step.js';
import { JobFolderPaths } from './job-folder-paths.js';
import { finishDepfile } from './local-depfile.js';
import { localPathsOutput } from './local-paths-stream.js';
import { rememberPlaced } from '../store/store-knowledge.js';
import { keepFunction } from '../store/store-scripts.js';
import { startStep } from './start-step.js';
import { planInputs } from '../store/upload-inputs.js';

/** SSH attempts when attaching again to a step after its connection dropped. */
const REATTACH_RETRIES = 6;

/** An instance's connection lent to one job, given back when the job is over. */
export interface LentInstance extends ReadyInstance {
  /** Gives the connection back; `transport` is the one the job ended on (another after a drop). */
  release(transport: Transport): Promise<void>;
}

/** What a job needs from whoever runs it (the agent, for a step's client). */
export interface JobContext {
  /** The client's working directory, which relative paths of the request are relative to. */
  cwd: string;
  heartbeatSeconds: number;
  output: StepOutput;
  cancellation: Cancellation;
  reach(job: JobProfile, progress: Progress): Promise<LentInstance>;
  /** Called when the inputs are up and the command is about to start on the instance. */
  onRunning(): void;
}

/**
 * One step on the instance: its inputs made present, run under the supervisor, outputs brought back
 * atomically and kept in the instance's store, cleaned up.
 */
export async function runRemoteJob(request: JobRequest, context: JobContext): Promise<number> {
  const job = selectProfile(request);
  const { cwd, cancellation } = context;
  const paths = stepPaths(job.baseDir, cwd, request.inputs, request.outputs, request.depfile);
  const fetched = writtenPaths(paths);
  const heartbeat = context.heartbeatSeconds;
  const progress = request.verbose ? printProgress : quiet;
  // Planned before the instance is reached: a missing input fails the step before anything starts
  // (or is launched), and the plan's stats are the only ones the inputs cost.
  const planned = paths.inputs.length
    ? await planInputs(job.stateDir, paths.baseDir, paths.inputs, false)
    : undefined;
  const connecting = phase('connect');
  const lent = await context.reach(job, progress);
  const { state } = lent;
  let transport = lent.transport;
  const connectMs = connecting();
  const jobId = randomBytes(8).toString('hex');
  const jobDir = instanceJobDir(jobId);
  const scratch = scratchDir(job.stateDir, jobId);
  let step: SupervisedStep | undefined;
  // The command runs where its relative paths mean what they do here; absolute ones are rewritten.
  const output = localPathsOutput(jobDir, paths.baseDir, context.output);
  cancellation.onCancel(() => step?.cancel());
  let kept = false;
  try {
    const running = phase('run');
    const keep = keepFunction(paths.outputs, job.profile.options.storeMegabytes);
    step = new SupervisedStep(jobId, heartbeat, output, keep);
    const reconnect = () => connectToInstance(job, state, { retries: REATTACH_RETRIES, progress });
    const ran = await startStep({
      step,
      transport,
      reconnect,
      start: {
        jobId,
        command: request.command,
        workDir: paths.workDir,
        outputs: fetched,
        heartbeatSeconds: heartbeat,
        keep,
      },
      inputs: { stateDir: job.stateDir, baseDir: paths.baseDir, paths: paths.inputs, planned },
      cancellation,
      onRunning: () => context.onRunning(),
      progress,
    });
    transport = ran.transport;
    const runMs = running();
    if (ran.status === undefined || cancellation.received) return cancellation.exitStatus();
    let downloadMs = 0;
    if (ran.status === 0 && fetched.length > 0) {
      const downloading = phase('download');
      const { missing: absent } = await transport.get(jobDir, fetched, scratch);
      const missing = absent.filter((path) => path !== paths.depfile);
      if (missing.length > 0) {
        const named = missing.map((path) => `'${relative(cwd, join(paths.baseDir, path))}'`);
        const plural = missing.length > 1 ? 's' : '';
        throw new UserError(
          `the command succeeded but did not produce declared output${plural} ${named.join(', ')}`,
        );
      }
      // A client gone or cancelled during the download is told nothing built: nothing is placed.
      if (cancellation.received) return cancellation.exitStatus();
      if (paths.depfile !== undefined) {
        const depfile = { name: request.depfile!, target: request.outputs[0] };
        const onInstance = new JobFolderPaths(jobDir, paths.baseDir, 'latin1');
        const local = join(paths.baseDir, paths.depfile);
        finishDepfile(depfile, join(scratch, paths.depfile), local, onInstance);
      }
      placeOutputs(scratch, paths.baseDir, paths.outputs);
      rememberPlaced(paths.baseDir, paths.outputs);
      downloadMs = downloading();
    }
    kept = ran.status === 0 && (paths.outputs.length > 0 || ran.uploaded);
    progress(
      `timings: connect ${connectMs} ms, upload ${ran.uploadMs} ms, run ${runMs} ms, download ${downloadMs} ms`,
    );
    return ran.status;
  } catch (error) {
    // A cancel cuts the step's channels short; what failed then is of no interest, the signal is.
    if (cancellation.received) return cancellation.exitStatus();
    throw error;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    // Once started, the supervisor cleans the job folder; before that, nothing on the instance would.
    if (step?.started) await step.finish(kept);
    else {
      await step?.finish();
      await transport.exec(`rm -rf -- ${shellQuote(jobDir)}`).catch(() => undefined);
    }
    await output.end();
    await lent.release(transport);
  }
}
