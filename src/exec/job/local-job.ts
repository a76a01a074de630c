import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkInputsExist } from './check-inputs.js';
import { exitStatus } from './exit-status.js';
import type { JobRequest } from '../../api/job-request.js';
import { finishDepfile } from './local-depfile.js';
import { runByNativeClient, type CommandRunner } from './local-command.js';
import { stepBaseDir, stepPaths, writtenPaths } from './step-paths.js';

// Loaded only when this process runs the command: child_process brings node's stream and net
// modules, ~8 ms of a step here.
async function runShell(command: string): Promise<number> {
  const { spawn } = await import('node:child_process');
  const child = spawn('/bin/sh', ['-c', command], { stdio: 'inherit' });
  return new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(exitStatus(code, signal)));
  });
}

/**
 * Runs the step's command line here, as the instance's shell would: same text, same relative paths, output
 * and exit code unchanged, and the outputs' folders made first, as on the instance. The native
 * client runs the command when it offers to (`runner`): this process then starts none.
 */
export async function runLocalJob(request: JobRequest, runner?: CommandRunner): Promise<number> {
  const { inputs, outputs, depfile } = request;
  const paths = stepPaths(stepBaseDir(request), process.cwd(), inputs, outputs, depfile);
  checkInputsExist(inputs);
  for (const output of writtenPaths(paths))
    mkdirSync(dirname(join(paths.baseDir, output)), { recursive: true });
  const status = runner
    ? runByNativeClient(runner, request.command)
    : await runShell(request.command);
  // Checked as on the instance, so a step that works here does not fail remotely.
  if (status === 0 && depfile !== undefined) {
    const local = join(paths.baseDir, paths.depfile!);
    finishDepfile({ name: depfile, target: outputs[0] }, local, local);
  }
  return status;
}
