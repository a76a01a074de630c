// Data made here, crunched on an EC2 instance in two steps, reported here.
// The connection settings come from REMOTE_* in your environment (see README.md).
import { EnvironmentRemote } from 'scons-remote';

const env = new EnvironmentRemote({ ENV: process.env });

env.connectionInitialize(
  { region: process.env.REMOTE_REGION ?? 'us-west-2' },
  {
    ImageId: process.env.REMOTE_IMAGE_ID ?? 'ami-0123456789abcdef0',
    InstanceType: 'c5.large',
    KeyName: process.env.REMOTE_KEY_NAME ?? 'my-key',
    MinCount: 1,
    MaxCount: 1,
    InstanceInitiatedShutdownBehavior: 'terminate',
  },
  {
    username: process.env.REMOTE_USER ?? 'ubuntu',
    privateKeyPath: process.env.REMOTE_KEY_PATH ?? 'keys/my-key.pem',
  },
);

const python = env.actionRemote({ cmd: 'python3', cmdArgs: ['-B'] });

env.command({
  target: 'data/measurements.csv',
  source: 'generate.py',
  action: 'python3 -B $SOURCE $TARGET',
});
env.commandRemote({
  target: 'work/stats.csv',
  source: ['aggregate.py', 'data/measurements.csv'],
  action: python,
});
env.commandRemote({
  target: 'work/ranking.txt',
  source: ['rank.py', 'work/stats.csv'],
  action: python,
});
env.command({
  target: 'report.txt',
  source: ['report.py', 'work/stats.csv', 'work/ranking.txt'],
  action: 'python3 -B $SOURCES > $TARGET',
});

env.default('report.txt');
