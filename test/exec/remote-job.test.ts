import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { StopInstancesCommand } from '@aws-sdk/client-ec2';
import type { Cloud } from '../../src/emulator/index.js';
import { cloudClient } from '../../src/emulator/sdk.js';
import { STEP_CLIENT } from '../helpers/cli.js';
import {
  cloudEnv,
  liveInstances,
  projectInstances,
  remoteExecAsync,
  runInstancesCalls,
  testCloud,
} from '../helpers/cloud.js';
import { configProject } from '../helpers/remote-project.js';

describe('remote-exec on the emulated cloud', () => {
  let cloud: Cloud;
  let env: NodeJS.ProcessEnv;
  const job = (dir: string, args: string[]) =>
    remoteExecAsync(dir, env, ['--config', 'remote.json', ...args]);

  before(async () => {
    cloud = await testCloud();
    env = cloudEnv(cloud);
  });
  after(async () => {
    assert.deepEqual(
      liveInstances(cloud).filter((instance) => instance.state === 'running'),
      [],
      'every test terminates what it launched',
    );
    await cloud.stop();
  });

  it('uploads inputs (folders too), runs the command there, and brings outputs (folders too) back; silent on success', async () => {
    const dir = configProject(cloud, { 'src/a.txt': 'alpha\n', 'src/sub/b.txt': 'beta\n' });
    const first = await job(dir, [
      '--in',
      'src',
      '--out',
      'out/listing.txt',
      '--out',
      'gen',
      '--',
      'mkdir -p gen && cp -r src gen/ && find src -type f | sort > out/listing.txt && cat src/sub/b.txt',
    ]);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stdout, 'beta\n');
    assert.equal(readFileSync(join(dir, 'out/listing.txt'), 'utf8'), 'src/a.txt\nsrc/sub/b.txt\n');
    assert.equal(readFileSync(join(dir, 'gen/src/sub/b.txt'), 'utf8'), 'beta\n');
    const warm = await job(dir, [
      '--in',
      'src/a.txt',
      '--out',
      'copy.txt',
      '--',
      'cp src/a.txt copy.txt',
    ]);
    assert.equal(warm.status, 0);
    assert.equal(warm.stderr, '', 'nothing but the command speaks on a successful step');
    assert.equal(readFileSync(join(dir, 'copy.txt'), 'utf8'), 'alpha\n');
    assert.equal((await remoteExecAsync(dir, env, ['--config', 'remote.json', 'down'])).status, 0);
  });

  it('passes the exit status and stderr through, including 127 for a missing command, keeps outputs of a failed step away, and leaves SIGPIPE alone', async () => {
    const dir = configProject(cloud);
    const missing = await job(dir, ['--', 'no-such-tool --flag']);
    assert.equal(missing.status, 127);
    assert.match(missing.stderr, /no-such-tool: (command )?not found/);
    const failing = await job(dir, ['--out', 'half.txt', '--', 'echo half > half.txt; exit 4']);
    assert.equal(failing.status, 4);
    assert.ok(!existsSync(join(dir, 'half.txt')));
    const silent = await job(dir, ['--out', 'never.txt', '--', 'true']);
    assert.equal(silent.status, 255);
    assert.equal(
      silent.stderr,
      "remote-exec: error: the command succeeded but did not produce declared output 'never.txt'\n",
    );
    // Signals as a local shell leaves them: `yes` ends quietly once `head` has read enough.
    const piped = await job(dir, ['--', 'yes | head -n 2']);
    assert.deepEqual([piped.status, piped.stdout, piped.stderr], [0, 'y\ny\n', '']);
    for (const [signal, status] of [
      ['HUP', 129],
      ['USR1', 138],
    ] as const) {
      const signalled = await job(dir, ['--', `kill -${signal} $$; echo still here`]);
      assert.deepEqual([signalled.status, signalled.stdout], [status, ''], signal);
    }
    const noInput = await job(dir, ['--in', 'ghost.txt', '--', 'true']);
    assert.equal(noInput.stderr, "remote-exec: error: input 'ghost.txt' does not exist\n");
    await remoteExecAsync(dir, env, ['--config', 'remote.json', 'down']);
  });

  it('runs a step on a running instance without any AWS call, so expired credentials do not matter', async () => {
    const dir = configProject(
      cloud,
      {},
      { instanceArgs: { InstanceInitiatedShutdownBehavior: 'stop' } },
    );
    const cold = await job(dir, ['--', 'true']);
    assert.equal(cold.status, 0);
    assert.match(
      cold.stderr,
      /^remote-exec: warning: instanceArgs\.InstanceInitiatedShutdownBehavior is "stop", so idle shutdown only stops the instance/,
    );
    const calls = cloud.calls().length;
    const expired = await remoteExecAsync(
      dir,
      { ...env, AWS_ACCESS_KEY_ID: 'AKIAEXPIRED000000000', AWS_SECRET_ACCESS_KEY: 'expired' },
      ['--config', 'remote.json', '--out', 'o.txt', '--', 'echo fine > o.txt'],
    );
    assert.equal(expired.status, 0, expired.stderr);
    assert.equal(readFileSync(join(dir, 'o.txt'), 'utf8'), 'fine\n');
    assert.equal(cloud.calls().length, calls);
    await remoteExecAsync(dir, env, ['--config', 'remote.json', 'down']);
  });

  it('launches exactly one instance for sixteen shims started at once on a cold profile', async () => {
    const dir = configProject(cloud, { 'in.txt': 'shared\n' });
    const before = runInstancesCalls(cloud);
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        job(dir, ['--in', 'in.txt', '--out', `out/${i}.txt`, '--', `cp in.txt out/${i}.txt`]),
      ),
    );
    for (const result of results) assert.equal(result.status, 0, result.stderr);
    assert.equal(runInstancesCalls(cloud) - before, 1);
    assert.equal(readdirSync(join(dir, 'out')).length, 16);
    await remoteExecAsync(dir, env, ['--config', 'remote.json', 'down']);
  });

  it('leaves no partial target when the shim is killed mid-job, and the rebuild succeeds', async () => {
    const dir = configProject(cloud, { 'in.txt': 'x\n' });
    assert.equal((await job(dir, ['--', 'true'])).status, 0);
    const command = 'echo partial > out.txt; sleep 3; echo full >> out.txt';
    const child = spawn(
      STEP_CLIENT,
      ['--config', 'remote.json', '--in', 'in.txt', '--out', 'out.txt', '--', command],
      { cwd: dir, env: { ...process.env, ...env } as NodeJS.ProcessEnv },
    );
    await sleep(1500);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.ok(!existsSync(join(dir, 'out.txt')));
    const again = await job(dir, ['--in', 'in.txt', '--out', 'out.txt', '--', command]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'partial\nfull\n');
    await remoteExecAsync(dir, env, ['--config', 'remote.json', 'down']);
  });

  it('replaces an instance terminated behind its back', async () => {
    const dir = configProject(cloud);
    assert.equal((await job(dir, ['--', 'true'])).status, 0);
    const [first] = projectInstances(cloud, dir);
    cloud.terminateBehindBack(first!.instanceId);
    await sleep(300);
    const after = await job(dir, ['--out', 'o.txt', '--', 'echo ok > o.txt']);
    assert.equal(after.status, 0, after.stderr);
    const [second] = projectInstances(cloud, dir);
    assert.notEqual(second!.instanceId, first!.instanceId);
    await remoteExecAsync(dir, env, ['--config', 'remote.json', 'down']);
  });

  it('starts an instance stopped behind its back and follows it to its new address', async () => {
    const dir = configProject(cloud);
    assert.equal((await job(dir, ['--', 'true'])).status, 0);
    const [instance] = projectInstances(cloud, dir);
    const ec2 = cloudClient(cloud);
    await ec2.send(new StopInstancesCommand({ InstanceIds: [instance!.instanceId] }));
    const after = await job(dir, ['--out', 'o.txt', '--', 'echo back > o.txt']);
    assert.equal(after.status, 0, after.stderr);
    const [restarted] = projectInstances(cloud, dir);
    assert.equal(restarted!.instanceId, instance!.instanceId);
    assert.notEqual(restarted!.address, instance!.address);
    await remoteExecAsync(dir, env, ['--config', 'remote.json', 'down']);
  });

  it('terminates an idle instance by itself, with no call from this machine', async () => {
    const dir = configProject(cloud, {}, { idleMinutes: 0.05 });
    assert.equal((await job(dir, ['--', 'true'])).status, 0);
    const [instance] = projectInstances(cloud, dir);
    const state = () =>
      cloud.instances().find((candidate) => candidate.instanceId === instance!.instanceId)?.state;
    for (let i = 0; i < 100 && state() !== 'terminated'; i++) await sleep(100);
    assert.equal(state(), 'terminated');
    assert.ok(
      !cloud
        .calls()
        .some(
          (call) =>
            call.action === 'TerminateInstances' &&
            call.params['InstanceId.1'] === instance!.instanceId,
        ),
    );
  });

  it('reports status and takes down every tagged instance with down --all', async () => {
    const dir = configProject(cloud);
    assert.equal((await job(dir, ['--', 'true'])).status, 0);
    const status = await remoteExecAsync(dir, env, ['--config', 'remote.json', 'status']);
    assert.match(
      status.stdout,
      /^[0-9a-f]{12}: i-[0-9a-f]+ at 127\.\d+\.\d+\.\d+, running, up \d+s, idle \d+s of 15m00s, 1 job run\n$/,
    );
    const down = await remoteExecAsync(dir, env, ['--config', 'remote.json', 'down', '--all']);
    assert.equal(down.status, 0, down.stderr);
    assert.deepEqual(liveInstances(cloud), []);
  });
});
