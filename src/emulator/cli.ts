import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../util/user-error.js';
import { startCloud, type Cloud } from './index.js';

export interface CloudCliOptions {
  /** The EC2 API's port on 127.0.0.1; 0 for any free one. */
  port?: number;
  bootDelayMs?: number;
  stateDir?: string;
}

/** The same folder on every run, so the key pair (and the profiles that name it) survive a restart. */
function defaultCloudDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'scons-remote', 'cloud');
}

async function start(options: CloudCliOptions): Promise<Cloud> {
  try {
    const stateDir = options.stateDir ?? defaultCloudDir();
    return await startCloud({ apiPort: options.port, bootDelayMs: options.bootDelayMs, stateDir });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UserError(`cloud: port ${options.port} on 127.0.0.1 is in use`);
    }
    throw error;
  }
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

/** `remote-exec cloud` (its flags parsed by remote-exec): runs the emulated cloud until SIGINT/SIGTERM and says how to point a build at it. */
export async function runCloudCli(options: CloudCliOptions): Promise<number> {
  const cloud = await start(options);
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
