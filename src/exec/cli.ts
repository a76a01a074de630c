import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { ProfileSelector } from '../api/job-request.js';
import { nearestName } from '../util/nearest-name.js';
import { UserError } from '../util/user-error.js';
import { runJob } from './job/run-job.js';
import { declineCommandRunner, type CommandRunner } from './job/local-command.js';
import { plainStepArgs } from './step-args.js';

const USAGE = `remote-exec [--profile ID | --config remote.json] [--in PATH...]
            [--out PATH...] [--depfile PATH] -- CMD [ARGS...]
remote-exec up | status | down [--all] | prune | ssh | cloud

Runs one build step on the EC2 instance of a connection profile (launched once, then
reused), or here when SCONS_REMOTE_MODE=local.`;

const COMMANDS = ['up', 'status', 'down', 'prune', 'ssh', 'cloud'];

function packageVersion(): string {
  const path = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

function profileOptions<T>(argv: Argv<T>) {
  return argv
    .option('profile', { type: 'string', describe: 'A connection profile written by remote-gen' })
    .option('config', {
      type: 'string',
      describe: 'A remote.json with clientArgs, instanceArgs, sshArgs',
    })
    .option('state-dir', {
      type: 'string',
      describe: 'State folder (default: .scons-remote beside build.ninja or remote.json)',
    });
}

function profileSelector(args: {
  profile?: string;
  config?: string;
  stateDir?: string;
}): ProfileSelector {
  return { profile: args.profile, config: args.config, stateDir: args.stateDir };
}

function jobCommandLine(words: unknown): string {
  const command = (Array.isArray(words) ? words : []).map(String);
  if (command.length === 0)
    throw new UserError(
      'no command given: put it after `--`, e.g. remote-exec --config remote.json -- python3 decode.py in out',
    );
  return command.join(' ');
}

/** yargs cannot suggest commands when there is a default one, so an unknown first word is matched here. */
function failure(message: string, argv: readonly string[]): UserError {
  const first = argv[0];
  const meant =
    first && !first.startsWith('-') && !COMMANDS.includes(first)
      ? nearestName(first, COMMANDS)
      : undefined;
  if (meant && message.startsWith('Unknown argument'))
    return new UserError(
      `unknown command '${first}': did you mean '${meant}'? (see remote-exec --help)`,
    );
  return new UserError(`${message} (see remote-exec --help)`);
}

/** `remote-exec`: returns the exit code (the remote command's own, for a job); user errors reach the caller as UserError. */
export async function runExecCli(argv: string[], runner?: CommandRunner): Promise<number> {
  const step = plainStepArgs(argv);
  if (step) return runJob(step, runner);
  declineCommandRunner(runner);
  const { default: yargs } = await import('yargs');
  let exitCode = 0;
  await yargs(argv)
    .scriptName('remote-exec')
    .usage(USAGE)
    .parserConfiguration({ 'populate--': true })
    .command(
      '$0',
      'Run one build step (the command follows `--`)',
      (command) =>
        profileOptions(command)
          .option('in', {
            type: 'string',
            array: true,
            default: [],
            describe: 'Input files or folders to upload',
          })
          .option('out', {
            type: 'string',
            array: true,
            default: [],
            describe: 'Outputs to bring back',
          })
          .option('depfile', {
            type: 'string',
            describe: 'A depfile the command writes, brought back with local paths',
          })
          .option('verbose', {
            alias: 'v',
            type: 'boolean',
            default: false,
            describe: 'Report per-step timings on stderr',
          }),
      async (args) => {
        exitCode = await runJob({
          ...profileSelector(args),
          inputs: args.in,
          outputs: args.out,
          depfile: args.depfile,
          command: jobCommandLine(args['--']),
          verbose: args.verbose,
        });
      },
    )
    .command(
      'up',
      'Provision the instance now, showing progress',
      // build.ninja's provisioning edge touches --stamp; users have no reason to.
      (command) => profileOptions(command).option('stamp', { type: 'string', hidden: true }),
      async (args) => {
        exitCode = await (
          await import('./commands/up.js')
        ).runUp({ ...profileSelector(args), stamp: args.stamp });
      },
    )
    .command(
      'status',
      'Show each instance: id, address, state, uptime, idle time, jobs run',
      (command) =>
        profileOptions(command).option('last', {
          type: 'boolean',
          default: false,
          describe: 'Summarize the last build instead (steps, bytes, time per phase)',
        }),
      async (args) => {
        exitCode = await (
          await import('./commands/status.js')
        ).runStatus({ ...profileSelector(args), last: args.last });
      },
    )
    .command(
      'down',
      'Terminate the instances this project launched',
      (command) =>
        profileOptions(command).option('all', {
          type: 'boolean',
          default: false,
          describe: 'Every instance tagged by scons-remote in the region',
        }),
      async (args) => {
        exitCode = await (
          await import('./commands/down.js')
        ).runDown({ ...profileSelector(args), all: args.all });
      },
    )
    .command(
      'prune',
      'Forget the profiles build.ninja no longer names, terminating their instances',
      profileOptions,
      async (args) => {
        exitCode = await (await import('./commands/prune.js')).runPrune(profileSelector(args));
      },
    )
    .command(
      'ssh',
      'An interactive shell on the instance (a command may follow `--`)',
      profileOptions,
      async (args) => {
        exitCode = await (
          await import('./commands/ssh-shell.js')
        ).runSsh(profileSelector(args), ((args['--'] as string[] | undefined) ?? []).map(String));
      },
    )
    .command(
      'cloud',
      'Run the emulated EC2 cloud (for trying scons-remote without AWS) until Ctrl-C',
      (command) =>
        command
          .option('port', {
            type: 'number',
            default: 0,
            describe: 'EC2 API port on 127.0.0.1 (default: any free port)',
          })
          .option('boot-delay-ms', {
            type: 'number',
            default: 1500,
            describe: 'How long an instance stays pending',
          })
          .option('cloud-dir', {
            type: 'string',
            describe: 'Keys and instance disks (default: ~/.cache/scons-remote/cloud)',
          }),
      async (args) => {
        const options = { port: args.port, bootDelayMs: args.bootDelayMs, stateDir: args.cloudDir };
        exitCode = await (await import('../emulator/cli.js')).runCloudCli(options);
      },
    )
    .strict()
    // cliui cuts words to fit columns; unwrapped lines, kept under 100 columns here, read better.
    .wrap(null)
    .help()
    .alias('help', 'h')
    .version(packageVersion())
    .fail((message, error) => {
      throw error ?? failure(message, argv);
    })
    .parseAsync();
  return exitCode;
}
