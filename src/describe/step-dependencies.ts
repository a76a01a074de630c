import { UserError } from '../util/user-error.js';
import type { Location, StepDependencies } from './declarations.js';
import { projectPath } from './project-paths.js';
import type { DependencyFile } from './types.js';

const DEPS_KINDS = ['gcc', 'msvc'] as const;

/** Checks a step's `depfile` and `deps` as ninja's manual defines them, so ninja never rejects the manifest. */
export function stepDependencies(
  spec: DependencyFile,
  targets: readonly string[],
  method: string,
  location: Location,
): StepDependencies {
  const { deps } = spec;
  if (deps === undefined && spec.depfile === undefined) return {};
  const owner = `${location}: ${method} for '${targets[0]}'`;
  if (deps !== undefined && !DEPS_KINDS.includes(deps)) {
    throw new UserError(`${owner}: deps must be 'gcc' or 'msvc', got ${JSON.stringify(deps)}`);
  }
  if (spec.depfile === undefined) {
    if (deps === 'gcc') throw new UserError(`${owner}: deps 'gcc' needs a depfile`);
    return deps === undefined ? {} : { deps };
  }
  if (deps === 'msvc') {
    throw new UserError(
      `${owner}: deps 'msvc' reads /showIncludes lines from the command's output, not a depfile; ` +
        'leave depfile out',
    );
  }
  const depfile = projectPath(spec.depfile, 'depfile', location);
  if (targets.includes(depfile)) {
    throw new UserError(
      `${owner}: depfile '${depfile}' is also a target; ninja reads it (and with deps 'gcc' ` +
        'deletes it), so give it a name of its own',
    );
  }
  return deps === undefined ? { depfile } : { depfile, deps };
}
