import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Moves each downloaded output from the job's scratch folder into place with a rename, so a target is either
 * the previous one or the complete new one, never a partial file. Scratch lives in the state folder, on the
 * project's filesystem, so the rename is atomic. A folder output replaces the old folder as a whole.
 */
export function placeOutputs(scratchDir: string, outputs: readonly string[]): void {
  for (const output of outputs) {
    mkdirSync(dirname(output) || '.', { recursive: true });
    const previous = `${output}.scons-remote-old-${process.pid}`;
    const hadPrevious = existsSync(output);
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
