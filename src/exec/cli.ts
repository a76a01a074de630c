import yargs, { type Argv } from 'yargs';
import { UserError } from '../util/user-error.js';
import type { ProfileSelector } from './job-profile.js';
import { runJob } from './run-job.js';

const USAGE = `remote-exec [--profile ID | --config remote.json] [--in PATH...] [--out PATH...] -- CMD [ARGS...]
remote-exec up | status | down [--all] | ssh | cloud

Runs one build step on the EC2 instance of a connection profile (launched once, then reused),
or here when SCONS_REMOTE_MODE=local.`;

function profileOptions<T>(argv: Argv<T>) {
  return argv
    .option('profile', { type: 'string', describe: 'A connection profile written by remote-gen' })
    .option('config', { type: 'string', describe: 'A remote.json: {"clientArgs": {...}, "instanceArgs": {...}, "sshArgs": {...}}' })
    .option('state-dir', { type: 'string', describe: 'Where instance state and locks live (default: .scons-remote beside build.ninja or remote.json)' });
}

function profileSelector(args: { profile?: string; config?: string; stateDir?: string }): ProfileSelector {
  return { profile: args.profile, config: args.config, stateDir: args.stateDir };
}

function jobCommandLine(words: unknown): string {
  const command = (Array.isArray(words) ? words : []).map(String);
  if (command.length === 0) throw new UserError('no command given: put it after `--`, e.g. remote-exec --config remote.json -- python3 decode.py in out');
  return command.join(' ');
}

/** `remote-exec`: returns the exit code (the remote command's own, for a job); user errors reach the caller as UserError. */
export async function runExecCli(argv: string[]): Promise<number> {
  let exitCode = 0;
  await profileOptions(yargs(argv))
    .scriptName('remote-exec')
    .usage(USAGE)
    .parserConfiguration({ 'populate--': true })
    .command(
      '$0',
      'Run one build step (the command follows `--`)',
      (command) =>
        command
          .option('in', { type: 'string', array: true, default: [], describe: 'Input files or folders to upload' })
          .option('out', { type: 'string', array: true, default: [], describe: 'Outputs to bring back' })
          .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'Report per-step timings on stderr' }),
      async (args) => {
        exitCode = await runJob({
          ...profileSelector(args),
          inputs: args.in,
          outputs: args.out,
          command: jobCommandLine(args['--']),
          verbose: args.verbose,
        });
      },
    )
    .command(
      'up',
      'Provision the instance now, showing progress',
      (command) => command.option('stamp', { type: 'string', describe: 'A file to touch once the instance is ready (used by build.ninja)' }),
      async (args) => {
        exitCode = await (await import('./up.js')).runUp({ ...profileSelector(args), stamp: args.stamp });
      },
    )
    .command('status', 'Show each instance: id, address, state, uptime, idle time, jobs run', (command) => command, async (args) => {
      exitCode = await (await import('./status.js')).runStatus(profileSelector(args));
    })
    .command(
      'down',
      'Terminate the instances this project launched',
      (command) => command.option('all', { type: 'boolean', default: false, describe: 'Every instance tagged by scons-remote in the region' }),
      async (args) => {
        exitCode = await (await import('./down.js')).runDown({ ...profileSelector(args), all: args.all });
      },
    )
    .command('ssh', 'An interactive shell on the instance (a command may follow `--`)', (command) => command, async (args) => {
      exitCode = await (await import('./ssh-shell.js')).runSsh(profileSelector(args), (args['--'] as string[] | undefined ?? []).map(String));
    })
    .command(
      'cloud',
      'Run the emulated EC2 cloud (for trying scons-remote without AWS) until Ctrl-C',
      (command) =>
        command
          .option('boot-delay-ms', { type: 'number', default: 1500, describe: 'How long an instance stays pending' })
          .option('cloud-dir', { type: 'string', describe: 'Where the cloud keeps keys and instance disks (default: a new temporary folder)' }),
      async (args) => {
        exitCode = await (await import('../emulator/cli.js')).runCloudCli({ bootDelayMs: args.bootDelayMs, stateDir: args.cloudDir });
      },
    )
    .strict()
    .wrap(100)
    .help()
    .version(false)
    .fail((message, error) => {
      throw error ?? new UserError(`${message} (see remote-exec --help)`);
    })
    .parseAsync();
  return exitCode;
}
