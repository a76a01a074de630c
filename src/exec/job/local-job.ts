import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkInputsExist } from './check-inputs.js';
import { exitStatus } from './exit-status.js';
import type { JobRequest } from '../../api/job-request.js';
import { stepBaseDir, stepPaths } from './step-paths.js';

/**
 * Runs the step's command line here, as the instance's shell would: same text, same relative paths, output
 * and exit code unchanged, and the outputs' folders made first, as on the instance.
 */
export async function runLocalJob(request: JobRequest): Promise<number> {
  const paths = stepPaths(stepBaseDir(request), process.cwd(), request.inputs, request.outputs);
  checkInputsExist(request.inputs);
  for (const output of paths.outputs)
    mkdirSync(dirname(join(paths.baseDir, output)), { recursive: true });
  const child = spawn('/bin/sh', ['-c', request.command], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(exitStatus(code, signal)));
  });
}
