import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ProfileSelector } from '../../api/job-request.js';
import { STATE_DIR } from '../../layout/local-state.js';
import { UserError } from '../../util/user-error.js';

/** A step's paths, all relative to the folder the step runs for, which the job folder on the instance mirrors. */
export interface StepPaths {
  baseDir: string;
  /** Where the command runs, relative to baseDir ('' for baseDir itself). */
  workDir: string;
  inputs: string[];
  outputs: string[];
  /** The depfile the command writes, brought back beside the outputs. */
  depfile?: string;
}

function realFolder(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return resolve(folder);
  }
}

function inside(baseDir: string, path: string): string | undefined {
  const rel = relative(baseDir, path);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel;
}

/** `a/b.txt`: relative, every part a name (no `.`, `..` or empty part), as most paths are. */
function isPlain(path: string): boolean {
  if (path === '' || path.startsWith('/')) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

function relativeToBase(
  baseDir: string,
  cwd: string,
  flag: string,
  paths: readonly string[],
): string[] {
  // Steps name a thousand inputs: a plain path below a working directory inside the folder is
  // there already, without resolving it (a millisecond a thousand here).
  const workDir = inside(baseDir, cwd) ?? (cwd === baseDir ? '' : undefined);
  return paths.map((path) => {
    if (workDir !== undefined && isPlain(path)) return workDir ? join(workDir, path) : path;
    const rel = inside(baseDir, resolve(cwd, path));
    if (rel === undefined) {
      throw new UserError(
        `${flag} '${path}' is not inside ${baseDir}, the folder remote-exec runs for`,
      );
    }
    return rel;
  });
}

/**
 * Inputs and outputs must lie inside the folder the step runs for (that of the profile or remote.json), so that
 * the same relative paths mean the same files here and on the instance, and no output lands outside the project.
 */
export function stepPaths(
  folder: string,
  cwd: string,
  inputs: readonly string[],
  outputs: readonly string[],
  depfile?: string,
): StepPaths {
  // The working directory comes with symlinks resolved, so the folder must be compared the same way.
  const baseDir = realFolder(folder);
  const workDir = relative(baseDir, cwd);
  if (workDir !== '' && inside(baseDir, cwd) === undefined) {
    throw new UserError(
      `the working directory ${cwd} is not inside ${baseDir}, the folder remote-exec runs for`,
    );
  }
  return {
    baseDir,
    workDir,
    inputs: relativeToBase(baseDir, cwd, '--in', inputs),
    outputs: relativeToBase(baseDir, cwd, '--out', outputs),
    ...(depfile === undefined
      ? {}
      : { depfile: relativeToBase(baseDir, cwd, '--depfile', [depfile])[0] }),
  };
}

/** What the command writes and the step brings back: its outputs, then its depfile. */
export function writtenPaths(paths: StepPaths): string[] {
  return paths.depfile === undefined ? paths.outputs : [...paths.outputs, paths.depfile];
}

/** The folder a step runs for, known without reading the profile (local mode needs no profile on disk). */
export function stepBaseDir(selector: ProfileSelector): string {
  if (selector.config) return dirname(resolve(selector.config));
  if (selector.profile) return dirname(resolve(selector.stateDir ?? STATE_DIR));
  return process.cwd();
}
