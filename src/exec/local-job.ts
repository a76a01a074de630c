import { spawn } from 'node:child_process';
import { checkInputsExist } from './check-inputs.js';
import { exitStatus } from './exit-status.js';

/** Runs the step's command line here, as the instance's shell would: same text, same relative paths, output and exit code unchanged. */
export async function runLocalJob(command: string, inputs: readonly string[]): Promise<number> {
  checkInputsExist(inputs);
  const child = spawn('/bin/sh', ['-c', command], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(exitStatus(code, signal)));
  });
}
