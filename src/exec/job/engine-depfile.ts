import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXEC_ROOT_FILE } from '../../reapi/action-blobs.js';
import { UserError } from '../../util/user-error.js';
import { JobFolderPaths } from './job-folder-paths.js';
import { finishDepfile, type StepDepfile } from './local-depfile.js';

/**
 * Puts a depfile brought back from an engine in place in local terms, as one from an instance:
 * the worker's folder, which the action recorded beside it, stands for the project folder.
 */
export function finishEngineDepfile(
  depfile: StepDepfile & { path: string },
  scratchDir: string,
  baseDir: string,
): void {
  let root: string;
  try {
    root = readFileSync(join(scratchDir, EXEC_ROOT_FILE), 'latin1').trim();
  } catch {
    throw new UserError(
      `the engine did not bring back the folder the depfile '${depfile.name}' names`,
    );
  }
  // Found by its whole path after the first `/`: any prefix a link adds before it still matches.
  const onWorker = new JobFolderPaths(root.replace(/^\/+/, ''), baseDir, 'latin1');
  finishDepfile(depfile, join(scratchDir, depfile.path), join(baseDir, depfile.path), onWorker);
}
