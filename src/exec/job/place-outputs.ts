import { lstatSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parentFolders, projectPath } from '../../transport/project-path.js';
import { UserError } from '../../util/user-error.js';

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
function makeParents(projectDir: string, output: string): void {
  for (const parent of parentFolders(output)) {
    const folder = join(projectDir, parent);
    const stat = lstatOrUndefined(folder);
    if (!stat) mkdirSync(folder);
    else if (stat.isSymbolicLink()) {
      throw refusal(
        output,
        `'${parent}' is a symbolic link, and outputs are never placed through one`,
      );
    } else if (!stat.isDirectory()) throw refusal(output, `'${parent}' is not a folder`);
  }
}

/**
 * Moves each downloaded output from the job's scratch folder into place with a rename, so a target is either
 * the previous one or the complete new one, never a partial file. Scratch lives in the state folder, on the
 * project's filesystem, so the rename is atomic. A folder output replaces the old folder as a whole.
 * Outputs are relative to `projectDir`, as they are inside `scratchDir`.
 */
export function placeOutputs(
  scratchDir: string,
  projectDir: string,
  outputs: readonly string[],
): void {
  for (const declared of outputs) {
    const relativeOutput = projectPath(declared);
    if (!relativeOutput) throw refusal(declared, 'it is outside the project');
    makeParents(projectDir, relativeOutput);
    const output = join(projectDir, relativeOutput);
    const previous = `${output}.scons-remote-old-${process.pid}`;
    const hadPrevious = lstatOrUndefined(output) !== undefined;
    if (hadPrevious) renameSync(output, previous);
    try {
      renameSync(join(scratchDir, relativeOutput), output);
    } catch (error) {
      if (hadPrevious) renameSync(previous, output);
      throw error;
    }
    if (hadPrevious) rmSync(previous, { recursive: true, force: true });
  }
}
