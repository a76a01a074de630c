// `npm run demo`: builds examples/decode on an emulated EC2 instance, the way a user builds on AWS,
// then checks the result against a local build. Needs no AWS account: the cloud runs on this machine.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCloud } from '../src/emulator/index.js';
import { compareWithLocal, copyExample, run, say, SHIMS } from './demo-steps.js';

say('Starting the emulated EC2 cloud (instances are real sshd processes on loopback)');
const cloud = await startCloud({ bootDelayMs: 1500 });
const remoteDir = copyExample();
const localDir = copyExample();
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...cloud.env(),
  PATH: `${SHIMS}:${process.env.PATH}`,
  DECODE_REGION: cloud.region,
  DECODE_IMAGE_ID: cloud.imageId,
  DECODE_KEY_NAME: cloud.keyPair.name,
  DECODE_KEY_PATH: cloud.keyPair.privateKeyPath,
};
delete env.SCONS_REMOTE_MODE;
let failed = false;
try {
  process.stdout.write(`EC2 endpoint ${cloud.endpoint}; project copied to ${remoteDir}\n`);
  say('remote-gen && ninja: the message is decoded on the instance, summarized locally');
  await run(process.execPath, [join(SHIMS, 'remote-gen.js')], remoteDir, env);
  await run('ninja', [], remoteDir, env);
  say('The decoded message, built remotely');
  process.stdout.write(readFileSync(join(remoteDir, 'decoded.txt'), 'utf8'));
  say('The instance stays up for the next build (it terminates itself when idle)');
  await run(process.execPath, [join(SHIMS, 'remote-exec.cjs'), 'status'], remoteDir, env);
  failed = !(await compareWithLocal(remoteDir, localDir, env));
  say('remote-exec down: terminating the instance');
  await run(process.execPath, [join(SHIMS, 'remote-exec.cjs'), 'down'], remoteDir, env);
} catch (error) {
  failed = true;
  process.stderr.write(`demo: ${(error as Error).message}\n`);
} finally {
  await cloud.stop();
  for (const dir of [remoteDir, localDir, cloud.stateDir])
    rmSync(dir, { recursive: true, force: true });
  say(failed ? 'Demo failed' : 'Done: the emulated cloud and every instance are stopped');
  process.exitCode = failed ? 1 : 0;
}
