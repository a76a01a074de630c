import { existsSync } from 'node:fs';
import micromatch from 'micromatch';
import type { Declarations, Location, Step } from '../describe/declarations.js';
import { isValueSource } from '../describe/project-paths.js';
import type { ValueSource } from '../describe/types.js';
import { UserError } from '../util/user-error.js';
import { GlobExpander, type GlobRecord } from './globs.js';

export interface GraphStep {
  step: Step;
  /** Sources in declared order with globs expanded; values stay in place. */
  sources: (string | ValueSource)[];
}

export interface BuildGraph {
  steps: GraphStep[];
  aliases: Declarations['aliases'];
  defaults: string[];
  /** The source globs with what they matched, and the folders they read. */
  globs: GlobRecord[];
  globFolders: string[];
}

function indexTargets(steps: Step[], reserved: readonly string[]): Map<string, Step> {
  const builtBy = new Map<string, Step>();
  const folders = reserved.map((path) => `${path}/`);
  const isReserved = (target: string): boolean =>
    reserved.includes(target) || folders.some((folder) => target.startsWith(folder));
  for (const step of steps) {
    for (const target of step.targets) {
      if (isReserved(target)) {
        throw new UserError(
          `${step.location}: target '${target}' is reserved for scons-remote's own files`,
        );
      }
      const earlier = builtBy.get(target);
      if (earlier)
        throw new UserError(
          `${step.location}: target '${target}' is declared twice (first at ${earlier.location})`,
        );
      builtBy.set(target, step);
    }
  }
  return builtBy;
}

/** The nearest folder above `path` that a step builds, if any. */
function enclosingTarget(path: string, builtBy: Map<string, Step>): string | undefined {
  for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
    if (builtBy.has(path.slice(0, slash))) return path.slice(0, slash);
  }
  return undefined;
}

// A step's target may be a folder it makes whole (remote outputs come back as a unit), so no other
// step may build inside it, and steps that read from it must depend on the folder itself.
function checkNoTargetInsideAnother(steps: Step[], builtBy: Map<string, Step>): void {
  for (const step of steps) {
    for (const target of step.targets) {
      const folder = enclosingTarget(target, builtBy);
      if (folder === undefined) continue;
      throw new UserError(
        `${step.location}: target '${target}' is inside '${folder}', the target of the step at ` +
          `${builtBy.get(folder)!.location}; a step's target folder belongs to that step alone`,
      );
    }
  }
}

/** Whether a source names files by a pattern, asked once per text: steps often share sources. */
function globTest(): (source: string) => boolean {
  const known = new Map<string, boolean>();
  return (source) => {
    let glob = known.get(source);
    if (glob === undefined) known.set(source, (glob = micromatch.scan(source).isGlob));
    return glob;
  };
}

// A path that exists as written, or that a step builds, is taken literally even if it looks like a glob.
function expandSources(
  step: Step,
  builtBy: Map<string, Step>,
  isGlob: (source: string) => boolean,
  expander: () => GlobExpander,
): (string | ValueSource)[] {
  const literal = (source: string | ValueSource): boolean =>
    isValueSource(source) || builtBy.has(source) || !isGlob(source) || existsSync(source);
  if (step.sources.every(literal)) return step.sources;
  return step.sources.flatMap((source) => {
    if (literal(source)) return [source];
    const matches = expander().expand(source as string);
    if (matches.length === 0)
      throw new UserError(
        `${step.location}: source glob '${source}' of '${step.targets[0]}' matches no file`,
      );
    return matches;
  });
}

/** existsSync asked once per path: the steps of a large description often share their sources. */
function cachedExists(): (path: string) => boolean {
  const known = new Map<string, boolean>();
  return (path) => {
    let found = known.get(path);
    if (found === undefined) known.set(path, (found = existsSync(path)));
    return found;
  };
}

function checkSources(
  graphStep: GraphStep,
  builtBy: Map<string, Step>,
  exists: (path: string) => boolean,
): void {
  for (const source of graphStep.sources) {
    if (isValueSource(source) || builtBy.has(source)) continue;
    const folder = enclosingTarget(source, builtBy);
    if (folder !== undefined) {
      const { step } = graphStep;
      throw new UserError(
        `${step.location}: source '${source}' of '${step.targets[0]}' is inside '${folder}', the target of ` +
          `the step at ${builtBy.get(folder)!.location}; use '${folder}' as the source`,
      );
    }
    if (exists(source)) continue;
    throw new UserError(
      `${graphStep.step.location}: source '${source}' of '${graphStep.step.targets[0]}' does not exist and no step builds it`,
    );
  }
}

// ninja reads a depfile after its step (and with deps 'gcc' deletes it): no other step may own it.
function checkDepfiles(steps: Step[], builtBy: Map<string, Step>): void {
  const readBy = new Map<string, Step>();
  for (const step of steps) {
    if (step.depfile === undefined) continue;
    const owner = builtBy.get(step.depfile) ?? readBy.get(step.depfile);
    const folder = enclosingTarget(step.depfile, builtBy);
    const clash = owner
      ? `is also ${builtBy.has(step.depfile) ? 'the target' : 'the depfile'} of the step at ${owner.location}`
      : folder !== undefined
        ? `is inside '${folder}', the target of the step at ${builtBy.get(folder)!.location}`
        : undefined;
    if (clash !== undefined) {
      throw new UserError(
        `${step.location}: depfile '${step.depfile}' of '${step.targets[0]}' ${clash}`,
      );
    }
    readBy.set(step.depfile, step);
  }
}

function checkAcyclic(steps: GraphStep[], builtBy: Map<string, Step>): void {
  const sourcesOf = new Map(steps.map(({ step, sources }) => [step, sources]));
  const state = new Map<Step, 'visiting' | 'done'>();
  /** The first targets of the steps being visited, outermost first. */
  const path: string[] = [];
  const visit = (step: Step): void => {
    if (state.get(step) === 'done') return;
    if (state.get(step) === 'visiting') {
      const cycle = path.slice(path.indexOf(step.targets[0]!));
      throw new UserError(
        `${step.location}: dependency cycle: ${[...cycle, step.targets[0]].join(' -> ')}`,
      );
    }
    state.set(step, 'visiting');
    path.push(step.targets[0]!);
    for (const source of sourcesOf.get(step)!) {
      const producer = typeof source === 'string' ? builtBy.get(source) : undefined;
      if (producer) visit(producer);
    }
    path.pop();
    state.set(step, 'done');
  };
  for (const { step } of steps) visit(step);
}

function checkNamed(
  names: string[],
  known: (name: string) => boolean,
  location: Location,
  role: string,
): void {
  for (const name of names) {
    if (!known(name))
      throw new UserError(
        `${location}: ${role} '${name}' is not a target of any step, an alias, or an existing file`,
      );
  }
}

/** Resolves globs and checks the declarations form a buildable graph: unique targets, existing sources, no cycles. */
export function buildGraph(declarations: Declarations, reserved: readonly string[]): BuildGraph {
  const builtBy = indexTargets(declarations.steps, reserved);
  checkNoTargetInsideAnother(declarations.steps, builtBy);
  checkDepfiles(declarations.steps, builtBy);
  // Made only for a description that has a glob: indexing 10,000 targets costs.
  let globs: GlobExpander | undefined;
  const expander = (): GlobExpander => (globs ??= new GlobExpander(builtBy.keys()));
  const isGlob = globTest();
  const steps = declarations.steps.map((step) => ({
    step,
    sources: expandSources(step, builtBy, isGlob, expander),
  }));
  const exists = cachedExists();
  for (const graphStep of steps) checkSources(graphStep, builtBy, exists);
  checkAcyclic(steps, builtBy);

  const aliasNames = new Set<string>();
  for (const alias of declarations.aliases) {
    if (builtBy.has(alias.name) || aliasNames.has(alias.name))
      throw new UserError(`${alias.location}: alias '${alias.name}' is already a target or alias`);
    aliasNames.add(alias.name);
  }
  const known = (name: string): boolean =>
    builtBy.has(name) || aliasNames.has(name) || exists(name);
  for (const alias of declarations.aliases)
    checkNamed(alias.targets, known, alias.location, 'alias target');
  for (const entry of declarations.defaults)
    checkNamed(entry.targets, known, entry.location, 'default target');
  return {
    steps,
    aliases: declarations.aliases,
    defaults: declarations.defaults.flatMap((entry) => entry.targets),
    globs: globs?.records() ?? [],
    globFolders: globs ? [...globs.walked].sort() : [],
  };
}
