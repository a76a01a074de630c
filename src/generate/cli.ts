import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type yargsApi from 'yargs';
import { UserError } from '../util/user-error.js';

export interface GenCliArgs {
  _: (string | number)[];
  directory?: string;
  file: string;
  out: string;
  quiet: boolean;
  compdb: boolean;
}

const USAGE = `$0 [-C DIR] [-f FILE] [--out FILE] [--no-compdb]

Compiles a TypeScript build description into build.ninja; then run \`ninja\`.`;

const require = createRequire(import.meta.url);
// The CommonJS build: yargs' ESM build lays help out with a wrap that breaks words in the middle.
const yargs = require('yargs') as typeof yargsApi;

function packageVersion(): string {
  return (require('../../../package.json') as { version: string }).version;
}

function parseArguments(argv: string[]): GenCliArgs {
  return (
    yargs(argv)
      .scriptName('remote-gen')
      .usage(USAGE)
      .command(
        'init',
        'Write a starting build.remote.ts and the tsconfig.json an editor needs (never overwrites)',
      )
      .option('directory', {
        alias: 'C',
        type: 'string',
        describe: 'Change to DIR first (the project folder)',
      })
      .option('file', {
        alias: 'f',
        type: 'string',
        default: 'build.remote.ts',
        describe: 'The build description, relative to the project folder',
      })
      .option('out', {
        alias: 'o',
        type: 'string',
        default: 'build.ninja',
        describe: 'The ninja file to write',
      })
      .option('compdb', {
        type: 'boolean',
        default: true,
        describe: 'Write compile_commands.json beside the ninja file (--no-compdb: do not)',
      })
      .option('quiet', {
        alias: 'q',
        type: 'boolean',
        default: false,
        describe: 'Print nothing on success',
      })
      .strict()
      .help()
      .alias('help', 'h')
      .version(packageVersion())
      // Lines end between words, and at 80 columns even on a wide terminal, to stay readable.
      .wrap(Math.min(80, process.stdout.columns || 80))
      .fail((message, error) => {
        throw error ?? new UserError(`${message} (see remote-gen --help)`);
      })
      .parseSync() as unknown as GenCliArgs
  );
}

/** `remote-gen`: returns the exit code; user errors reach the caller as UserError. */
export async function runGenCli(argv: string[]): Promise<number> {
  const args = parseArguments(argv);
  if (args.directory) process.chdir(args.directory);
  const say = (text: string): void => {
    if (!args.quiet) process.stderr.write(`remote-gen: ${text}\n`);
  };
  if (args._[0] === 'init') {
    const written = (await import('./init-project.js')).initProject(args.file);
    say(`wrote ${written.join(' and ')}; edit ${args.file}, then run remote-gen && ninja`);
    if (!existsSync('node_modules/scons-remote')) {
      say('for your editor to see the types: npm link scons-remote (or npm install it here)');
    }
    return 0;
  }
  // Type-checking takes seconds; on a terminal, say so. Under ninja (a pipe) its own status line suffices.
  const progress = (text: string): void => {
    if (process.stderr.isTTY) say(text);
  };
  // Loaded here, not above: it loads the compiler, which --help and init do not need.
  const { generateBuild } = await import('./generate-build.js');
  const result = await generateBuild({
    description: args.file,
    output: args.out,
    compileDatabase: args.compdb,
    progress,
  });
  const { steps, remoteSteps, profiles } = result;
  say(
    `wrote ${args.out}: ${steps} steps, ${remoteSteps} remote on ${profiles} connection profile(s)`,
  );
  return 0;
}
