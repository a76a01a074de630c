import { lstatSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parentFolders, projectPath } from '../transport/project-path.js';
import { UserError } from '../util/user-error.js';

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function refusal(output: string, reason: string): UserError {
  return new UserError(`cannot place output '${output}': ${reason}`);
}

/**
 * Makes the folders leading to an output, refusing to go through a symbolic link: an earlier output that is a
 * link to a folder must not redirect this one elsewhere.
 */
function makeParents(output: string): void {
  for (const folder of parentFolders(output)) {
    const stat = lstatOrUndefined(folder);
    if (!stat) mkdirSync(folder);
    else if (stat.isSymbolicLink()) throw refusal(output, `'${folder}' is a symbolic link, and outputs are never placed through one`);
    else if (!stat.isDirectory()) throw refusal(output, `'${folder}' is not a folder`);
  }
}

/**
 * Moves each downloaded output from the job's scratch folder into place with a rename, so a target is either
 * the previous one or the complete new one, never a partial file. Scratch lives in the state folder, on the
 * project's filesystem, so the rename is atomic. A folder output replaces the old folder as a whole.
 */
export function placeOutputs(scratchDir: string, outputs: readonly string[]): void {
  for (const declared of outputs) {
    const output = projectPath(declared);
    if (!output) throw refusal(declared, 'it is outside the project');
    makeParents(output);
    const previous = `${output}.scons-remote-old-${process.pid}`;
    const hadPrevious = lstatOrUndefined(output) !== undefined;
    if (hadPrevious) renameSync(output, previous);
    try {
      renameSync(join(scratchDir, output), output);
    } catch (error) {
      if (hadPrevious) renameSync(previous, output);
      throw error;
    }
    if (hadPrevious) rmSync(previous, { recursive: true, force: true });
  }
}
