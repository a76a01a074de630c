/** What `remote-gen init` writes as build.remote.ts: a local step that builds as is, and a remote one to fill in. */
export const STARTER_DESCRIPTION = `// The build, described for remote-gen: run \`remote-gen\`, then \`ninja\`.
// API and options: the Usage section of the scons-remote README.
import { EnvironmentRemote } from 'scons-remote';

const env = new EnvironmentRemote({ ENV: process.env });

// A local step, as SCons' Command: $SOURCES and $TARGETS expand to the quoted paths.
env.command({ target: 'hello.txt', action: 'echo hello > $TARGET' });

// Remote steps run on one EC2 instance. Fill in your region, AMI, key pair and key file, then uncomment.
// env.connectionInitialize(
//   { region: 'us-west-2' },
//   { ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro', KeyName: 'my-key',
//     MinCount: 1, MaxCount: 1, InstanceInitiatedShutdownBehavior: 'terminate' },
//   { username: 'ubuntu', privateKeyPath: 'keys/my-key.pem' },
// );
// env.commandRemote({
//   target: 'hello.remote.txt',
//   source: 'hello.txt',
//   action: env.actionRemote({ cmd: 'cp' }),
// });

env.default('hello.txt');
`;
