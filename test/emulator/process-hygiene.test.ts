import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startCloud } from '../../src/emulator/index.js';
import { runAsync, tempDir } from '../helpers/cli.js';
import { OPENSSH_OPTIONS } from '../helpers/cloud.js';
import { alive, cloudProcesses, waitUntilGone } from './cloud-processes.js';

const INDEX = fileURLToPath(new URL('../../src/emulator/index.js', import.meta.url));

/** A node process that starts a cloud in stateDir, launches an instance, says "ready" once it runs, then exits (without stopping the cloud) or waits, when told. */
function cloudInAnotherProcess(stateDir: string, fate: 'exit' | 'wait') {
  const script = `
    const { startCloud } = await import(${JSON.stringify(INDEX)});
    const cloud = await startCloud({ bootDelayMs: 50, stateDir: ${JSON.stringify(stateDir)} });
    const body = new URLSearchParams({ Action: 'RunInstances', Version: '2016-11-15', ImageId: cloud.imageId, KeyName: cloud.keyPair.name, MinCount: '1', MaxCount: '1' });
    const authorization = 'AWS4-HMAC-SHA256 Credential=' + cloud.credentials.accessKeyId + '/20240101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0';
    const reply = await fetch(cloud.endpoint, { method: 'POST', body, headers: { authorization } });
    if (!reply.ok) throw new Error(await reply.text());
    while (cloud.instances()[0]?.state !== 'running') await new Promise((resolve) => setTimeout(resolve, 20));
    console.log('ready');
    process.stdin.once('data', () => ${fate === 'exit' ? 'process.exit(3)' : '{}'});
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) =>
      reject(new Error(`the cloud process exited with ${code} before it was ready`)),
    );
  });
  return { child, ready, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

describe('the emulated cloud leaves no process behind', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) assert.deepEqual(cloudProcesses(dir), [], `nothing of ${dir} is left`);
  });

  it('stop() ends every sshd, what sessions left running, and boots still under way', async () => {
    const stateDir = tempDir();
    dirs.push(stateDir);
    const cloud = await startCloud({ bootDelayMs: 50, stopDelayMs: 20, stateDir });
    const headers = {
      authorization: `AWS4-HMAC-SHA256 Credential=${cloud.credentials.accessKeyId}/20240101/us-east-1/ec2/aws4_request`,
    };
    const launch = async () => {
      const body = new URLSearchParams({
        Action: 'RunInstances',
        Version: '2016-11-15',
        ImageId: cloud.imageId,
        KeyName: cloud.keyPair.name,
        MinCount: '2',
        MaxCount: '2',
      });
      assert.equal((await fetch(cloud.endpoint, { method: 'POST', body, headers })).status, 200);
    };
    await launch();
    while (cloud.instances().some((instance) => instance.state !== 'running')) await sleep(20);
    const [first] = cloud.instances();
    const detached = await runAsync(
      'ssh',
      [
        ...OPENSSH_OPTIONS,
        '-i',
        cloud.keyPair.privateKeyPath,
        `ubuntu@${first!.address}`,
        'setsid nohup sleep 600 </dev/null >/dev/null 2>&1 & echo started',
      ],
      stateDir,
    );
    assert.equal(detached.stdout.trim(), 'started', detached.stderr);
    const pids = cloudProcesses(stateDir);
    assert.ok(pids.length >= 5, `two wrappers, two sshd and the session's sleep: ${pids.length}`);
    await launch(); // boots that are still under way when the cloud stops
    await sleep(60);
    await cloud.stop();
    assert.deepEqual(alive(pids), []);
    assert.deepEqual(cloudProcesses(stateDir), []);
    await sleep(300);
    assert.deepEqual(cloudProcesses(stateDir), [], 'no boot started an sshd after stop()');
  });

  for (const [how, fate] of [
    ['exits without stopping its cloud', 'exit'],
    ['is killed with SIGKILL', 'wait'],
  ] as const) {
    it(`leaves nothing when the process that runs the cloud ${how}`, async () => {
      const stateDir = tempDir();
      dirs.push(stateDir);
      const { child, ready, exited } = cloudInAnotherProcess(stateDir, fate);
      await ready;
      const pids = cloudProcesses(stateDir);
      assert.ok(pids.length >= 2, 'the wrapper and its sshd run');
      child.stdin.write('go\n');
      if (fate === 'wait') child.kill('SIGKILL');
      await exited;
      assert.deepEqual(await waitUntilGone(pids), []);
    });
  }
});
