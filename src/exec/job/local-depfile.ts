import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { UserError } from '../../util/user-error.js';
import { DepfileSyntaxError, parseDepfile, renderDepfile } from './depfile-syntax.js';
import type { JobFolderPaths } from './job-folder-paths.js';

/**
 * A depfile written on the instance, in local terms: job-folder paths become project paths and
 * relative ones stay. Files outside the job folder (the instance's system headers) are left out:
 * this machine cannot watch them, and ninja would rebuild every time for one it does not have.
 */
export function localDepfile(text: string, paths: JobFolderPaths): string {
  const local = (list: string[]) => list.flatMap((path) => paths.localPath(path) ?? []);
  const rules = parseDepfile(text)
    .map((rule) => ({ targets: local(rule.targets), deps: local(rule.deps) }))
    .filter((rule) => rule.targets.length > 0);
  return renderDepfile(rules);
}

export interface StepDepfile {
  /** The depfile as the step names it (relative to the working directory), for messages. */
  name: string;
  /** The step's first output, which messages name. */
  target?: string;
}

/**
 * Checks the depfile a step wrote at `from` and puts its local form at `to` atomically, before
 * ninja reads it; with no `paths` (the step ran here) it is only checked. Its bytes are read as
 * latin1 text, so `paths` must be made for latin1 and names in any encoding come through. A missing or unreadable
 * one is an error naming the step: ninja would otherwise lose track of its headers.
 */
export function finishDepfile(
  depfile: StepDepfile,
  from: string,
  to: string,
  paths?: JobFolderPaths,
): void {
  const owner = `depfile '${depfile.name}'${depfile.target ? ` of '${depfile.target}'` : ''}`;
  if (!existsSync(from))
    throw new UserError(`the command succeeded but did not write its ${owner}`);
  const text = readFileSync(from, 'latin1');
  try {
    if (paths) writeFileAtomic(to, Buffer.from(localDepfile(text, paths), 'latin1'));
    else parseDepfile(text);
  } catch (error) {
    if (!(error instanceof DepfileSyntaxError)) throw error;
    throw new UserError(`${owner} is not in Makefile syntax: ${error.message}`);
  }
}
