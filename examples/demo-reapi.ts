// `npm run demo -- --reapi`: builds examples/decode on the test Remote Execution API engine (real
// gRPC on loopback, each action run in a fresh folder), then again from its action cache, and
// checks the result against a local build. A real engine takes the same description.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startReapiServer } from '../src/emulator/reapi/reapi-server.js';
import { compareWithLocal, copyExample, run, say, SHIMS } from './demo-steps.js';

say('Starting the test Remote Execution API engine');
const engine = await startReapiServer();
const remoteDir = copyExample();
const localDir = copyExample();
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${SHIMS}:${process.env.PATH}`,
  DECODE_REAPI_ENDPOINT: engine.endpoint,
};
delete env.SCONS_REMOTE_MODE;
let failed = false;
try {
  process.stdout.write(`engine ${engine.endpoint}; project copied to ${remoteDir}\n`);
  say('remote-gen && ninja: the message is decoded as an action on the engine');
  await run(process.execPath, [join(SHIMS, 'remote-gen.js')], remoteDir, env);
  await run('ninja', [], remoteDir, env);
  say('The decoded message, built on the engine');
  process.stdout.write(readFileSync(join(remoteDir, 'decoded.txt'), 'utf8'));
  const { executions, blobsUploaded } = engine.stats;
  process.stdout.write(`engine: ${executions} action(s) run, ${blobsUploaded} blob(s) received\n`);
  say('The outputs removed and built again: the action cache answers, nothing runs');
  rmSync(join(remoteDir, 'decoded.txt'));
  await run('ninja', [], remoteDir, env);
  const ran = engine.stats.executions - executions;
  const sent = engine.stats.blobsUploaded - blobsUploaded;
  process.stdout.write(`engine: ${ran} action(s) run, ${sent} blob(s) received\n`);
  const same = await compareWithLocal(remoteDir, localDir, env);
  failed = !same || ran !== 0 || sent !== 0;
} catch (error) {
  failed = true;
  process.stderr.write(`demo: ${(error as Error).message}\n`);
} finally {
  await engine.close();
  for (const dir of [remoteDir, localDir]) rmSync(dir, { recursive: true, force: true });
  say(failed ? 'Demo failed' : 'Done: the engine is stopped');
  process.exitCode = failed ? 1 : 0;
}
