import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { digestOfBuffer, type Digest } from '../cas/digest.js';
import { projectPath } from '../transport/project-path.js';
import { shellQuote } from '../util/shell-quote.js';
import { UserError } from '../util/user-error.js';
import { byUtf8 } from './merkle-tree.js';
import type { Action, Command, NameValue } from './messages.js';
import { encodeCanonical, REAPI } from './protos.js';

// A step as REAPI's Command and Action, in canonical form so that the same step always has the
// same action digest (and so hits the action cache): sorted environment, outputs and platform.
//
// The command runs from the input root, entering the step's folder itself (`cd dir && …`), so
// every output path stays relative to the root even when it lies outside that folder, which
// REAPI's output paths (relative to working_directory) could not express without `..`.
//
// A step with a depfile also records the worker's folder (`pwd -P`, as compilers print paths)
// in EXEC_ROOT_FILE, which comes back with the depfile: its absolute paths name that folder.
//
// API: StepAction, EXEC_ROOT_FILE, actionOutputs(step), actionBlobs(step, inputRoot, engine).

/** Where a step with a depfile records the absolute path of the input root on the worker. */
export const EXEC_ROOT_FILE = '.scons-remote-exec-root';

export interface StepAction {
  /** The project folder: the input root, and where outputs are placed. */
  readonly baseDir: string;
  /** Where the command runs, relative to baseDir ('' for baseDir). */
  readonly workDir: string;
  /** Shell text, run by /bin/sh -c as on an instance. */
  readonly command: string;
  /** Relative to baseDir. */
  readonly outputs: readonly string[];
  /** The depfile the command writes, relative to baseDir: brought back with EXEC_ROOT_FILE. */
  readonly depfile?: string;
  /** Variables the step sets; the worker provides its own defaults for the rest. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly platform?: Readonly<Record<string, string>>;
  readonly timeoutSeconds?: number;
}

/** An output as REAPI spells it: relative, no `.` parts, no leading or trailing slash. */
function outputPath(output: string): string {
  const path = projectPath(output);
  if (!path) throw new UserError(`output '${output}' is outside the project`);
  return path;
}

function sortedPairs(record: Readonly<Record<string, string>> | undefined): NameValue[] {
  return Object.entries(record ?? {})
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => byUtf8(a.name, b.name) || byUtf8(a.value, b.value));
}

/** Whether `output` is a folder here now: all an engine before REAPI 2.1 can be told. */
function isFolderHere(baseDir: string, output: string): boolean {
  try {
    return lstatSync(join(baseDir, output)).isDirectory();
  } catch {
    return false;
  }
}

/** What the action brings back: the outputs, and for a depfile step the depfile and the root. */
export function actionOutputs(step: StepAction): readonly string[] {
  return step.depfile === undefined
    ? step.outputs
    : [...step.outputs, step.depfile, EXEC_ROOT_FILE];
}

function shellText(step: StepAction): string {
  const recordRoot = step.depfile === undefined ? '' : `pwd -P > ${EXEC_ROOT_FILE} && `;
  const enter = step.workDir ? `cd ${shellQuote(step.workDir)} && ` : '';
  return `${recordRoot}${enter}${step.command}`;
}

export function actionBlobs(
  step: StepAction,
  inputRoot: Digest,
  engine: { outputPaths: boolean },
): { action: Digest; command: Command; blobs: { digest: Digest; data: Buffer }[] } {
  const outputs = [...new Set(actionOutputs(step).map(outputPath))].sort(byUtf8);
  const properties = sortedPairs(step.platform);
  // An empty Platform would still be written as a field; canonical form leaves it out.
  const platform = properties.length > 0 ? { properties } : null;
  const folders = engine.outputPaths ? [] : outputs.filter((o) => isFolderHere(step.baseDir, o));
  const command: Command = {
    arguments: ['/bin/sh', '-c', shellText(step)],
    environmentVariables: sortedPairs(step.environment),
    // Engines of REAPI 2.1 and later ignore output_files/output_directories once output_paths is
    // set, and older ones know only those: each gets one form, as Bazel does.
    outputPaths: engine.outputPaths ? outputs : [],
    outputFiles: engine.outputPaths ? [] : outputs.filter((o) => !folders.includes(o)),
    outputDirectories: folders,
    // Deprecated in 2.2 in favour of Action.platform, still read by older engines.
    platform,
    workingDirectory: '',
  };
  const commandData = encodeCanonical(`${REAPI}.Command`, command);
  const commandDigest = digestOfBuffer(commandData);
  const action: Action = {
    commandDigest,
    inputRootDigest: inputRoot,
    timeout: step.timeoutSeconds ? { seconds: step.timeoutSeconds, nanos: 0 } : null,
    doNotCache: false,
    platform,
  };
  const actionData = encodeCanonical(`${REAPI}.Action`, action);
  const actionDigest = digestOfBuffer(actionData);
  return {
    action: actionDigest,
    command,
    blobs: [
      { digest: commandDigest, data: commandData },
      { digest: actionDigest, data: actionData },
    ],
  };
}
