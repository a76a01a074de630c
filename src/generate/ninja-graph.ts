import type { LocalStep, RemoteStep, StepDependencies } from '../describe/declarations.js';
import { isValueSource } from '../describe/project-paths.js';
import type { ValueSource } from '../describe/types.js';
import { shellQuote } from '../util/shell-quote.js';
import type { BuildGraph } from './build-graph.js';
import { expandAction, remoteCommandLine } from './expand-command.js';
import { type Edge, type Manifest, ninjaValue, type Rule } from './ninja-manifest.js';
import { shimCommand } from './shim-command.js';

export const DEFAULT_REMOTE_JOBS = 4;

export interface GeneratorInputs {
  /** build.ninja and the other files remote-gen writes, relative to the project folder. */
  manifestPath: string;
  profilePaths: string[];
  /** The description and the project files it imports, relative to the project folder. */
  descriptionFiles: string[];
  /** Where the source globs and their matches are saved for `remote-gen --check-globs`; absent without globs. */
  globStatePath?: string;
  /** The remote-gen command line that reproduces this run. */
  regenerateCommand: string;
  description: string;
}

export interface RemoteProfile {
  id: string;
  path: string;
  jobs: number;
  /** What remote edges wait for; an engine needs nothing prepared, so it has none. */
  readyStamp?: string;
}

function fileSources(sources: readonly (string | ValueSource)[]): string[] {
  return sources.some(isValueSource)
    ? sources.filter((source): source is string => !isValueSource(source))
    : (sources as string[]);
}

/** ninja's own bindings for headers a command read; the shim needs the depfile too, to bring it back. */
function dependencyVariables(step: StepDependencies): Record<string, string> {
  return {
    ...(step.depfile === undefined ? {} : { depfile: ninjaValue(step.depfile, step.depfile) }),
    ...(step.deps === undefined ? {} : { deps: step.deps }),
  };
}

function localEdge(step: LocalStep, sources: (string | ValueSource)[]): Edge {
  const exports = Object.entries(step.env).map(
    ([name, value]) => `export ${name}=${shellQuote(value)}`,
  );
  const commands = step.commands.map((command) => expandAction(command, sources, step.targets));
  return {
    rule: 'local',
    outputs: step.targets,
    inputs: fileSources(sources),
    variables: {
      cmd: ninjaValue([...exports, ...commands].join(' && '), step.location),
      ...dependencyVariables(step),
    },
  };
}

/** The rule of a profile's remote steps: the shim and profile, written once, not in each edge. */
function remoteRule(profile: RemoteProfile, description: string): Rule {
  const name = `remote_${profile.id}`;
  return {
    name,
    command: `${ninjaValue(shimCommand('remote-exec'), description)} --profile ${profile.id} $args`,
    // ninja's own list of the edge's outputs (shell-quoted where needed), not a copy in each edge.
    description: 'REMOTE $out',
    pool: name,
  };
}

function remoteEdge(
  step: RemoteStep,
  sources: (string | ValueSource)[],
  profile: RemoteProfile,
): Edge {
  const inputs = fileSources(sources);
  // As shellJoin would write the words, without an array for each step.
  let args = '';
  for (const path of inputs) args += `${shellQuote(`--in=${path}`)} `;
  for (const path of step.targets) args += `${shellQuote(`--out=${path}`)} `;
  if (step.depfile !== undefined) args += `${shellQuote(`--depfile=${step.depfile}`)} `;
  args += `-- ${shellQuote(remoteCommandLine(step.action, sources, step.targets))}`;
  return {
    rule: `remote_${profile.id}`,
    outputs: step.targets,
    inputs,
    orderOnlyInputs: profile.readyStamp === undefined ? [] : [profile.readyStamp],
    variables: {
      args: ninjaValue(args, step.location),
      ...dependencyVariables(step),
    },
  };
}

function provisionEdge(id: string, readyStamp: string): Edge {
  return {
    rule: 'provision',
    // No inputs: the stamp's name holds the profile's content hash, and a rebuilt stamp would mean a needless launch.
    outputs: [readyStamp],
    variables: { profile: id },
  };
}

// No depfile: ninja deletes every output of an interrupted edge that has one, build.ninja included.
// The files are listed as inputs instead, each with a phony edge so that a deleted one makes build.ninja
// dirty rather than ninja fail, as CMake's regeneration edge does.
function generatorEdges(inputs: GeneratorInputs, graph: BuildGraph): Edge[] {
  const targets = graph.steps.flatMap(({ step }) => step.targets);
  const named = new Set([...targets, ...graph.aliases.map((alias) => alias.name)]);
  const globState = inputs.globStatePath ? [inputs.globStatePath] : [];
  const regenerate: Edge = {
    rule: 'regenerate',
    outputs: [inputs.manifestPath],
    implicitOutputs: inputs.profilePaths,
    inputs: [inputs.description],
    implicitInputs: [
      ...inputs.descriptionFiles.filter((file) => file !== inputs.description),
      ...globState,
    ],
  };
  const watched = [...inputs.descriptionFiles, ...(inputs.globStatePath ? graph.globFolders : [])];
  const unbuilt = [...new Set(watched)].filter((path) => !named.has(path));
  const edges =
    unbuilt.length > 0 ? [regenerate, { rule: 'phony', outputs: unbuilt }] : [regenerate];
  // Folder mtimes change for any entry, so a cheap check decides whether the globs' matches changed.
  if (inputs.globStatePath) {
    edges.push({
      rule: 'check_globs',
      outputs: [inputs.globStatePath],
      implicitInputs: graph.globFolders,
    });
  }
  return edges;
}

/** The edges in the manifest's order, each made as it is written. */
function* edgesOf(
  graph: BuildGraph,
  profileOf: (step: RemoteStep) => RemoteProfile,
  inputs: GeneratorInputs,
  profiles: readonly RemoteProfile[],
): Generator<Edge> {
  yield* generatorEdges(inputs, graph);
  for (const { id, readyStamp } of profiles)
    if (readyStamp !== undefined) yield provisionEdge(id, readyStamp);
  for (const { step, sources } of graph.steps) {
    yield step.kind === 'local'
      ? localEdge(step, sources)
      : remoteEdge(step, sources, profileOf(step));
  }
  for (const alias of graph.aliases)
    yield { rule: 'phony', outputs: [alias.name], inputs: alias.targets };
}

/** Lays the checked build graph out as ninja rules, pools and edges. */
export function manifestFor(
  graph: BuildGraph,
  profileOf: (step: RemoteStep) => RemoteProfile,
  inputs: GeneratorInputs,
): Manifest {
  const profiles = new Map<string, RemoteProfile>();
  for (const { step } of graph.steps) {
    if (step.kind === 'remote') profiles.set(profileOf(step).id, profileOf(step));
  }
  return {
    comment: `Generated by remote-gen from ${inputs.description}; edits are lost when it regenerates.\nRegenerate by hand: ${inputs.regenerateCommand}`,
    pools: [...profiles.values()].map((profile) => ({
      name: `remote_${profile.id}`,
      depth: profile.jobs,
    })),
    rules: [
      {
        name: 'regenerate',
        command: ninjaValue(inputs.regenerateCommand, inputs.description),
        description: 'remote-gen: regenerating build.ninja',
        generator: true,
      },
      { name: 'local', command: '$cmd', description: 'LOCAL $out' },
      {
        name: 'check_globs',
        command: `${ninjaValue(shimCommand('remote-gen'), inputs.description)} --check-globs $out`,
        description: 'remote-gen: checking the folders source globs read',
        generator: true,
        restat: true,
      },
      {
        name: 'provision',
        command: `${ninjaValue(shimCommand('remote-exec'), inputs.description)} up --profile $profile --stamp $out`,
        description: 'PROVISION $profile',
        pool: 'console',
      },
      ...[...profiles.values()].map((profile) => remoteRule(profile, inputs.description)),
    ],
    edges: edgesOf(graph, profileOf, inputs, [...profiles.values()]),
    defaults: graph.defaults,
  };
}
