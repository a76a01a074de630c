import { basename, resolve } from 'node:path';
import type { BuildGraph } from './build-graph.js';
import { expandAction, remoteCommandLine } from './expand-command.js';
import { splitShellWords } from './shell-words.js';

/** One entry of a JSON compilation database, as clangd and clang-tidy read it. */
export interface CompileEntry {
  directory: string;
  file: string;
  arguments: string[];
  output?: string;
}

// Tools that read the database (clangd, clang-tidy, clang-check) treat arguments[0] as a compiler
// driver and the rest as its flags; any other step (a script, a linker, an archiver) would be parsed
// as a compile of nonsense, so only steps that look like compiles go in: a known driver, possibly
// versioned (gcc-12) or a cross compiler (arm-linux-gnueabihf-gcc), with `-c` and a C/C++ source.
const COMPILER_DRIVER = /^([\w.+-]+-)?(cc|gcc|g\+\+|clang|clang\+\+|c\+\+)(-\d+(\.\d+)*)?$/;
const C_OR_CXX_SOURCE = /\.(c|cc|cp|cpp|cxx|c\+\+|C|CPP)$/;
// Options whose value is the next word, which is therefore not a source even when it looks like one.
const TAKES_NEXT_WORD = new Set(['-o', '-x', '-MF', '-MT', '-MQ', '-include', '-imacros']);

function outputOf(args: readonly string[]): string | undefined {
  for (let at = 1; at < args.length; at += 1) {
    if (args[at] === '-o') return args[at + 1];
    if (args[at]!.startsWith('-o')) return args[at]!.slice(2);
  }
  return undefined;
}

function compiledSources(args: readonly string[]): string[] {
  if (!args.includes('-c')) return [];
  const sources: string[] = [];
  for (let at = 1; at < args.length; at += 1) {
    if (TAKES_NEXT_WORD.has(args[at]!)) at += 1;
    else if (!args[at]!.startsWith('-') && C_OR_CXX_SOURCE.test(args[at]!)) sources.push(args[at]!);
  }
  return sources;
}

/**
 * Whether a remote command line starting with `cmd` may be a compile, asked once per `cmd`: its
 * first word is the command line's, unless `cmd` is not plain words (then only the whole can tell).
 */
function compilerTest(): (cmd: string) => boolean {
  const known = new Map<string, boolean>();
  return (cmd) => {
    let answer = known.get(cmd);
    if (answer === undefined) {
      const first = splitShellWords(cmd, 1)?.[0];
      answer = first === undefined || COMPILER_DRIVER.test(basename(first));
      known.set(cmd, answer);
    }
    return answer;
  };
}

function entriesFor(
  command: string,
  targets: readonly string[],
  directory: string,
): CompileEntry[] {
  const args = splitShellWords(command);
  if (!args || !COMPILER_DRIVER.test(basename(args[0] ?? ''))) return [];
  // Without -o, the seed's remote command line names the target last; one target is that output.
  const output = outputOf(args) ?? (targets.length === 1 ? targets[0] : undefined);
  return compiledSources(args).map((source) => ({
    directory,
    file: resolve(directory, source),
    arguments: args,
    ...(output === undefined ? {} : { output }),
  }));
}

/**
 * The compiles of the build as the compiler sees them: a remote step as the plain command the
 * instance runs (not the remote-exec shim that carries it), a local step as it runs here.
 * Commands joined by `&&` or using other shell syntax are left out rather than guessed at.
 */
export function compileDatabase(graph: BuildGraph, directory: string): CompileEntry[] {
  const mayCompile = compilerTest();
  return graph.steps.flatMap(({ step, sources }) => {
    if (step.kind === 'remote') {
      if (!mayCompile(step.action.cmd)) return [];
      return entriesFor(
        remoteCommandLine(step.action, sources, step.targets),
        step.targets,
        directory,
      );
    }
    // Exported ENV values are the step's environment, not the compiler's arguments.
    if (step.commands.length !== 1) return [];
    return entriesFor(
      expandAction(step.commands[0]!, sources, step.targets),
      step.targets,
      directory,
    );
  });
}

export function renderCompileDatabase(entries: readonly CompileEntry[]): string {
  return `${JSON.stringify(entries, null, 2)}\n`;
}
