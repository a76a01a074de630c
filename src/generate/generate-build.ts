import { dirname, join, relative } from 'node:path';
import { isEngineConnection, type StepConnection } from '../api/connection.js';
import type { RemoteStep } from '../describe/declarations.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { UserError } from '../util/user-error.js';
import { shellJoin } from '../util/shell-quote.js';
import {
  globStatePath as globStateFile,
  profilePath,
  readyStampPath,
  STATE_DIR,
} from '../layout/local-state.js';
import { buildGraph } from './build-graph.js';
import { writeStateGitignore } from './state-gitignore.js';
import type { GlobState } from './globs.js';
import { loadDescription } from './load-description.js';
import { DEFAULT_REMOTE_JOBS, manifestFor, type RemoteProfile } from './ninja-graph.js';
import { environmentId, profileId, writeProfile } from '../api/profile.js';
import { shimCommand } from './shim-command.js';

export interface GenerateOptions {
  /** The description, relative to the working directory (the project folder). */
  description: string;
  /** The ninja file to write, relative to the project folder. */
  output: string;
  /** Whether to write compile_commands.json beside the ninja file, for clangd and other tools. */
  compileDatabase: boolean;
  /** Called with what remote-gen is doing, for a person watching. */
  progress: (text: string) => void;
}

export interface GenerateResult {
  steps: number;
  remoteSteps: number;
  profiles: number;
}

/** Files inside the project folder as relative paths; others (a shared library beside it) stay absolute. */
function projectRelative(file: string): string {
  const inside = relative(process.cwd(), file);
  return inside.startsWith('..') ? file : inside;
}

/**
 * Loads and checks the whole description first and writes nothing until all of it is valid; build.ninja is
 * written last and atomically, so a failed run leaves the previous build fully usable.
 */
export async function generateBuild(options: GenerateOptions): Promise<GenerateResult> {
  const { declarations, files, recordCheck } = await loadDescription(
    options.description,
    options.progress,
  );
  const databasePath = join(dirname(options.output), 'compile_commands.json');
  const reserved = [STATE_DIR, options.output, ...(options.compileDatabase ? [databasePath] : [])];
  const graph = buildGraph(declarations, reserved);
  const profiles = new Map<StepConnection, RemoteProfile>();
  const profileOf = (step: RemoteStep): RemoteProfile => {
    const known = profiles.get(step.connection);
    if (known) return known;
    const id = profileId(step.connection);
    const { connection } = step;
    const engine = isEngineConnection(connection);
    const readyStamp = engine
      ? undefined
      : readyStampPath(STATE_DIR, id, environmentId(connection));
    // One instance cannot be prepared two ways at once.
    if ([...profiles.values()].some((other) => other.id === id && other.readyStamp !== readyStamp))
      throw new UserError(
        `${step.location}: this connection differs from another only in options.requires or options.setup; give both the same, or make the connections differ`,
      );
    const profile = {
      id,
      path: relative('.', profilePath(STATE_DIR, id)),
      jobs: (engine ? undefined : connection.options.jobs) ?? DEFAULT_REMOTE_JOBS,
      readyStamp,
    };
    profiles.set(step.connection, profile);
    return profile;
  };
  const globStatePath = globStateFile(STATE_DIR, options.output);
  const regenerateCommand = `${shimCommand('remote-gen')} ${shellJoin([
    '-f',
    options.description,
    '--out',
    options.output,
    ...(options.compileDatabase ? [] : ['--no-compdb']),
  ])}`;
  const remoteSteps = graph.steps
    .filter(({ step }) => step.kind === 'remote')
    .map(({ step }) => step as RemoteStep);
  remoteSteps.forEach(profileOf);
  const uniqueProfiles = [
    ...new Map([...profiles.values()].map((profile) => [profile.id, profile])).values(),
  ];
  const { renderManifest } = await import('./ninja-manifest.js');
  const manifest = renderManifest(
    manifestFor(graph, profileOf, {
      manifestPath: options.output,
      profilePaths: uniqueProfiles.map((profile) => profile.path),
      descriptionFiles: files.map(projectRelative),
      globStatePath: graph.globs.length > 0 ? globStatePath : undefined,
      regenerateCommand,
      description: options.description,
    }),
  );

  writeStateGitignore(STATE_DIR);
  for (const [connection, profile] of profiles)
    writeProfile(profilePath(STATE_DIR, profile.id), connection);
  // Before build.ninja, which must not be older than this input of its own.
  if (graph.globs.length > 0) {
    const state: GlobState = {
      targets: graph.steps.flatMap(({ step }) => step.targets),
      globs: graph.globs,
    };
    writeFileAtomic(globStatePath, `${JSON.stringify(state)}\n`);
  }
  if (options.compileDatabase) {
    const { compileDatabase, renderCompileDatabase } = await import('./compile-database.js');
    writeFileAtomic(databasePath, renderCompileDatabase(compileDatabase(graph, process.cwd())));
  }
  writeFileAtomic(options.output, manifest);
  recordCheck();
  return {
    steps: graph.steps.length,
    remoteSteps: remoteSteps.length,
    profiles: uniqueProfiles.length,
  };
}
