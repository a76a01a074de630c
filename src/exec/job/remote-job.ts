import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { jobDir as instanceJobDir } from '../../layout/instance-home.js';
import { scratchDir } from '../../layout/local-state.js';
import { shellQuote } from '../../util/shell-quote.js';
import { UserError } from '../../util/user-error.js';
import { cancelOnSignals } from './cancel-on-signals.js';
import { checkInputsExist } from './check-inputs.js';
import { selectProfile } from '../select-profile.js';
import { placeOutputs } from './place-outputs.js';
import { printProgress, quiet } from '../progress.js';
import { reachInstance } from '../instance/provision.js';
import type { JobRequest } from '../../api/job-request.js';
import { connectToInstance } from '../instance/ssh-target.js';
import { stepPaths, writtenPaths } from './step-paths.js';
import { phase } from '../trace/step-trace.js';
import { startStepCommand } from './step-supervisor.js';
import { heartbeatSeconds, SupervisedStep } from './supervised-step.js';
import { JobFolderPaths } from './job-folder-paths.js';
import { finishDepfile } from './local-depfile.js';
import { localPathsOutput } from './local-paths-stream.js';

/** SSH attempts when attaching again to a step after its connection dropped. */
const REATTACH_RETRIES = 6;

/** One step on the instance: upload inputs, run under the supervisor, bring outputs back atomically, clean up. */
export async function runRemoteJob(request: JobRequest): Promise<number> {
  const job = selectProfile(request);
  const paths = stepPaths(
    job.baseDir,
    process.cwd(),
    request.inputs,
    request.outputs,
    request.depfile,
  );
  const fetched = writtenPaths(paths);
  checkInputsExist(request.inputs);
  const heartbeat = heartbeatSeconds();
  const progress = request.verbose ? printProgress : quiet;
  const connecting = phase('connect');
  const { state, transport: first } = await reachInstance(job, progress);
  let transport = first;
  const connectMs = connecting();
  const jobId = randomBytes(8).toString('hex');
  const jobDir = instanceJobDir(jobId);
  const scratch = scratchDir(job.stateDir, jobId);
  let step: SupervisedStep | undefined;
  // The command runs where its relative paths mean what they do here; absolute ones are rewritten.
  const output = localPathsOutput(jobDir, paths.baseDir);
  const signals = cancelOnSignals(() => step?.cancel());
  try {
    const uploading = phase('upload');
    await transport.put(paths.baseDir, paths.inputs, jobDir);
    const uploadMs = uploading();
    if (signals.received) return signals.exitStatus();
    const running = phase('run');
    step = new SupervisedStep(jobId, heartbeat, output);
    const { command } = request;
    const start = startStepCommand({
      jobId,
      command,
      workDir: paths.workDir,
      outputs: fetched,
      heartbeatSeconds: heartbeat,
    });
    const reconnect = () => connectToInstance(job, state, { retries: REATTACH_RETRIES, progress });
    const ran = await step.run(transport, start, reconnect);
    transport = ran.transport;
    const runMs = running();
    if (signals.received) return signals.exitStatus();
    let downloadMs = 0;
    if (ran.status === 0 && fetched.length > 0) {
      const downloading = phase('download');
      const { missing: absent } = await transport.get(jobDir, fetched, scratch);
      const missing = absent.filter((path) => path !== paths.depfile);
      if (missing.length > 0) {
        const named = missing.map(
          (path) => `'${relative(process.cwd(), join(paths.baseDir, path))}'`,
        );
        const plural = missing.length > 1 ? 's' : '';
        throw new UserError(
          `the command succeeded but did not produce declared output${plural} ${named.join(', ')}`,
        );
      }
      if (paths.depfile !== undefined) {
        const depfile = { name: request.depfile!, target: request.outputs[0] };
        const onInstance = new JobFolderPaths(jobDir, paths.baseDir, 'latin1');
        const local = join(paths.baseDir, paths.depfile);
        finishDepfile(depfile, join(scratch, paths.depfile), local, onInstance);
      }
      placeOutputs(scratch, paths.baseDir, paths.outputs);
      downloadMs = downloading();
    }
    progress(
      `timings: connect ${connectMs} ms, upload ${uploadMs} ms, run ${runMs} ms, download ${downloadMs} ms`,
    );
    return ran.status;
  } catch (error) {
    // A cancel cuts the step's channels short; what failed then is of no interest, the signal is.
    if (signals.received) return signals.exitStatus();
    throw error;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    // Once started, the supervisor cleans the job folder; before that, nothing on the instance would.
    if (step) await step.finish();
    else await transport.exec(`rm -rf -- ${shellQuote(jobDir)}`).catch(() => undefined);
    await output.end();
    signals.dispose();
    await transport.close();
  }
}
