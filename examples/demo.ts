// `npm run demo`: builds examples/decode on an emulated EC2 instance, the way a user builds on AWS,
// then checks the result against a local build. Needs no AWS account: the cloud runs on this machine.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCloud } from '../src/emulator/index.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/decode', import.meta.url));
const SHIMS = fileURLToPath(new URL('../shim', import.meta.url));

function say(text: string): void {
  process.stdout.write(process.stdout.isTTY ? `\n\x1b[1m== ${text}\x1b[0m\n` : `\n== ${text}\n`);
}

/** Runs a command with the terminal attached (asynchronously: the emulated cloud lives in this process). */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  process.stdout.write(`$ ${[command, ...args].join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`)),
    );
  });
}

function copyExample(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scons-remote-demo-'));
  cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

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
  say('The same build with SCONS_REMOTE_MODE=local, for comparison');
  await run(process.execPath, [join(SHIMS, 'remote-gen.js'), '--quiet'], localDir, env);
  await run('ninja', [], localDir, { ...env, SCONS_REMOTE_MODE: 'local' });
  const same = ['decoded.txt', 'summary.txt'].every((file) =>
    readFileSync(join(remoteDir, file)).equals(readFileSync(join(localDir, file))),
  );
  process.stdout.write(
    same
      ? 'Remote and local outputs are equal, byte for byte.\n'
      : 'Remote and local outputs DIFFER.\n',
  );
  failed = !same;
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
