import { startCloud, type Cloud } from './index.js';

export interface CloudCliOptions {
  bootDelayMs?: number;
  stateDir?: string;
}

/** `--boot-delay-ms`, `--state-dir`, `--help`; undefined when --help was answered. */
async function parseFlags(argv: string[]): Promise<CloudCliOptions | undefined> {
  const { default: yargs } = await import('yargs');
  let helped = false;
  const args = await yargs(argv)
    .scriptName('remote-exec cloud')
    .usage('$0 [options]\n\nRuns the emulated EC2 cloud until Ctrl-C.')
    .version(false)
    .option('boot-delay-ms', { type: 'number', default: 300, describe: 'How long an instance stays pending' })
    .option('state-dir', { type: 'string', describe: 'Where the cloud keeps keys and instance disks (default: a new temporary folder, removed on exit)' })
    .strict()
    .help()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new Error(message);
    })
    .parseAsync(argv, {}, (_error, _parsed, output) => {
      if (output) {
        helped = true;
        process.stdout.write(`${output}\n`);
      }
    });
  return helped ? undefined : { bootDelayMs: args.bootDelayMs, stateDir: args.stateDir };
}

function instructions(cloud: Cloud): string {
  const exports = Object.entries(cloud.env()).map(([name, value]) => `  export ${name}=${value}`);
  return [
    `Emulated EC2 listening at ${cloud.endpoint} (region ${cloud.region}); instances are sshd processes on 127.0.0.0/8.`,
    '',
    'In the shell that runs remote-gen, ninja or make (credentials stay in the environment, never in files):',
    ...exports,
    '',
    'In build.remote.ts (or remote.json):',
    `  clientArgs:   { region: '${cloud.region}', endpoint: '${cloud.endpoint}' }   (endpoint optional: AWS_ENDPOINT_URL_EC2 sets it)`,
    `  instanceArgs: { ImageId: '${cloud.imageId}', InstanceType: 't2.micro', KeyName: '${cloud.keyPair.name}', MinCount: 1, MaxCount: 1, InstanceInitiatedShutdownBehavior: 'terminate' }`,
    `  sshArgs:      { username: '${cloud.sshUser}', privateKeyPath: '${cloud.keyPair.privateKeyPath}' }`,
    '',
    'Press Ctrl-C to stop the cloud and every instance.',
    '',
  ].join('\n');
}

/**
 * `remote-exec cloud`: runs the emulated cloud until SIGINT/SIGTERM and says how to point a build at it.
 * Takes the command line after `cloud`, or options a caller already parsed.
 */
export async function runCloudCli(argv: string[] | CloudCliOptions): Promise<number> {
  let options: CloudCliOptions | undefined;
  try {
    options = Array.isArray(argv) ? await parseFlags(argv) : argv;
  } catch (error) {
    process.stderr.write(`remote-exec cloud: ${(error as Error).message}\n`);
    return 2;
  }
  if (!options) return 0;
  const cloud = await startCloud({ bootDelayMs: options.bootDelayMs, stateDir: options.stateDir });
  // Listening before saying "Press Ctrl-C", so an interrupt right after the message is never missed.
  const interrupted = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write(instructions(cloud));
  await interrupted;
  await cloud.stop();
  process.stdout.write('Emulated cloud stopped.\n');
  return 0;
}
