// The seed's decode example: a coded message is decoded on an EC2 instance, then summarized locally.
// Point it at your AWS account by editing the three connection arguments, or run `npm run demo`,
// which sets DECODE_* to the emulated cloud. With DECODE_REAPI_ENDPOINT set (as `npm run demo --
// --reapi` does), the step runs on that Remote Execution API engine instead.
import { EnvironmentRemote } from 'scons-remote';

const env = new EnvironmentRemote({ ENV: process.env });

const engine = process.env.DECODE_REAPI_ENDPOINT;
if (engine) {
  env.remoteExecutionInitialize({ endpoint: engine, platform: { OSFamily: 'linux' } });
} else {
  env.connectionInitialize(
    { region: process.env.DECODE_REGION ?? 'us-west-2' },
    {
      ImageId: process.env.DECODE_IMAGE_ID ?? 'ami-0123456789abcdef0',
      InstanceType: 't2.micro',
      KeyName: process.env.DECODE_KEY_NAME ?? 'my-key',
      MinCount: 1,
      MaxCount: 1,
      InstanceInitiatedShutdownBehavior: 'terminate',
    },
    { username: 'ubuntu', privateKeyPath: process.env.DECODE_KEY_PATH ?? 'keys/my-key.pem' },
    { sshRetries: 6, idleMinutes: 15 },
  );
}

env.commandRemote({
  target: 'decoded.txt',
  source: ['decode.py', 'message.txt', env.value(13)],
  action: env.actionRemote({ cmd: 'python3', cmdArgs: ['-B'] }),
});

env.command({
  target: 'summary.txt',
  source: 'decoded.txt',
  action: 'wc -l -w < $SOURCE > $TARGET && head -n 1 $SOURCE >> $TARGET',
});

env.default('summary.txt');
