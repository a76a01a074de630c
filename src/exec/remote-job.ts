import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { shellJoin, shellQuote } from '../util/shell-quote.js';
import { UserError } from '../util/user-error.js';
import { checkInputsExist } from './check-inputs.js';
import { REMOTE_HOME } from './idle-watchdog.js';
import { selectProfile } from './job-profile.js';
import { placeOutputs } from './place-outputs.js';
import { printProgress, quiet } from './progress.js';
import { reachInstance } from './provision.js';
import type { JobRequest } from './run-job.js';
import { stepPaths, type StepPaths } from './step-paths.js';

/**
 * The command as the instance's shell runs it, in the job's folder: output folders exist first (as ninja
 * makes them locally), and a marker holding the shell's pid tells the idle watchdog a job is running.
 */
function jobScript(jobDir: string, jobId: string, command: string, paths: StepPaths): string {
  const outputDirs = [...new Set(paths.outputs.map((output) => posix.dirname(output)).filter((dir) => dir !== '.'))];
  const marker = `"$HOME/${REMOTE_HOME}/running/${jobId}"`;
  return [
    `cd ${shellQuote(jobDir)} || exit 255`,
    outputDirs.length ? `mkdir -p -- ${shellJoin(outputDirs)} || exit 255` : '',
    paths.workDir ? `mkdir -p -- ${shellQuote(paths.workDir)} && cd ${shellQuote(paths.workDir)} || exit 255` : '',
    `echo $$ > ${marker}; touch "$HOME/${REMOTE_HOME}/activity"; echo ${jobId} >> "$HOME/${REMOTE_HOME}/jobs.log"`,
    `(\n${command}\n)`,
    'status=$?',
    `rm -f ${marker}; touch "$HOME/${REMOTE_HOME}/activity"`,
    'exit $status',
  ].filter(Boolean).join('\n');
}

function timer(): () => number {
  const start = process.hrtime.bigint();
  return () => Number((process.hrtime.bigint() - start) / 1_000_000n);
}

/** One step on the instance: upload inputs, run, bring outputs back atomically, clean up. */
export async function runRemoteJob(request: JobRequest): Promise<number> {
  const job = selectProfile(request);
  const paths = stepPaths(job.baseDir, process.cwd(), request.inputs, request.outputs);
  checkInputsExist(request.inputs);
  const progress = request.verbose ? printProgress : quiet;
  const connecting = timer();
  const { transport } = await reachInstance(job, progress);
  const connectMs = connecting();
  const jobId = randomBytes(8).toString('hex');
  const jobDir = `${REMOTE_HOME}/jobs/${jobId}`;
  const scratch = join(job.stateDir, 'scratch', jobId);
  try {
    const uploading = timer();
    await transport.put(paths.baseDir, paths.inputs, jobDir);
    const uploadMs = uploading();
    const running = timer();
    const status = await transport.exec(jobScript(jobDir, jobId, request.command, paths), { stdout: process.stdout, stderr: process.stderr });
    const runMs = running();
    let downloadMs = 0;
    if (status === 0 && request.outputs.length > 0) {
      const downloading = timer();
      // Outputs land in scratch under their absolute path, the form placeOutputs maps back to their place.
      const { missing } = await transport.get(jobDir, paths.outputs, join(scratch, paths.baseDir));
      if (missing.length > 0) {
        const named = missing.map((path) => `'${relative(process.cwd(), join(paths.baseDir, path))}'`);
        throw new UserError(`the command succeeded but did not produce declared output${missing.length > 1 ? 's' : ''} ${named.join(', ')}`);
      }
      placeOutputs(scratch, paths.outputs.map((output) => join(paths.baseDir, output)));
      downloadMs = downloading();
    }
    progress(`timings: connect ${connectMs} ms, upload ${uploadMs} ms, run ${runMs} ms, download ${downloadMs} ms`);
    return status;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await transport.exec(`rm -rf -- ${shellQuote(jobDir)}`).catch(() => undefined);
    await transport.close();
  }
}

