import yargs from 'yargs';
import { UserError } from '../util/user-error.js';
import { generateBuild } from './generate-build.js';

export interface GenCliArgs {
  directory?: string;
  file: string;
  out: string;
  quiet: boolean;
}

function parseArguments(argv: string[]): GenCliArgs {
  return yargs(argv)
    .scriptName('remote-gen')
    .usage('$0 [-C DIR] [-f FILE] [--out FILE]\n\nCompiles a TypeScript build description into build.ninja; then run `ninja`.')
    .option('directory', { alias: 'C', type: 'string', describe: 'Change to DIR first (the project folder)' })
    .option('file', { alias: 'f', type: 'string', default: 'build.remote.ts', describe: 'The build description, relative to the project folder' })
    .option('out', { alias: 'o', type: 'string', default: 'build.ninja', describe: 'The ninja file to write' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print nothing on success' })
    .strict()
    .help()
    .version(false)
    .fail((message, error) => {
      throw error ?? new UserError(`${message} (see remote-gen --help)`);
    })
    .parseSync() as unknown as GenCliArgs;
}

/** `remote-gen`: returns the exit code; user errors reach the caller as UserError. */
export async function runGenCli(argv: string[]): Promise<number> {
  const args = parseArguments(argv);
  if (args.directory) process.chdir(args.directory);
  // Type-checking takes seconds; on a terminal, say so. Under ninja (a pipe) its own status line suffices.
  const progress = (text: string): void => {
    if (process.stderr.isTTY && !args.quiet) process.stderr.write(`remote-gen: ${text}\n`);
  };
  const result = await generateBuild({ description: args.file, output: args.out, progress });
  if (!args.quiet) {
    process.stderr.write(`remote-gen: wrote ${args.out}: ${result.steps} steps, ${result.remoteSteps} remote on ${result.profiles} connection profile(s)\n`);
  }
  return 0;
}
