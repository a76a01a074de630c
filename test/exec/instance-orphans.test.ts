import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { STEP_CLIENT, withEnv } from '../helpers/cli.js';
import {
  cloudEnv,
  copyOf,
  DECODE_EXAMPLE,
  eventually,
  liveInstances,
  ninjaAsync,
  projectInstances,
  remoteExecAsync,
  remoteGenAsync,
  runInstancesCalls,
  testCloud,
  instanceStateFile,
} from '../helpers/cloud.js';
import { configProject } from '../helpers/remote-project.js';

describe('an instance launched but never reached is never orphaned', () => {
  let cloud: Cloud;
  let env: NodeJS.ProcessEnv;
  const exec = (dir: string, args: string[]) =>
    remoteExecAsync(dir, env, ['--config', 'remote.json', ...args]);

  before(async () => {
    cloud = await testCloud();
    env = cloudEnv(cloud);
  });
  after(async () => {
    assert.deepEqual(liveInstances(cloud), [], 'every test ends with no instance left');
    await cloud.stop();
  });

  it('a wrong SSH key: each run says so and terminates what it launched; status shows what happened', async () => {
    const wrong = cloud.addKeyPair('not-authorized');
    const dir = configProject(cloud, {}, { sshArgs: { privateKeyPath: wrong.privateKeyPath } });
    for (let run = 1; run <= 2; run++) {
      const result = await exec(dir, ['--', 'true']);
      assert.equal(result.status, 255);
      assert.match(
        result.stderr,
        /^remote-exec: launching t2\.micro from ami-\w+\n/,
        'a launch is always announced',
      );
      assert.match(
        result.stderr,
        /remote-exec: error: ssh: authentication failed for user 'ubuntu' at 127\.\S+ with key \S+; terminated i-\w+ \(set options\.keepOnFailure to keep it\)\n$/,
      );
      assert.deepEqual(
        projectInstances(cloud, dir).filter((instance) => instance.state === 'running'),
        [],
      );
    }
    const status = await exec(dir, ['status']);
    assert.equal(status.status, 0, status.stderr);
    assert.match(
      status.stdout,
      /^[0-9a-f]{12}: i-\w+ terminated \(ssh: authentication failed for user 'ubuntu'/,
    );
  });

  it('the original scenario: ninja twice with a wrong key ends with no instance, and status says why', async () => {
    const wrong = cloud.addKeyPair('not-authorized-in-ninja');
    const dir = copyOf(DECODE_EXAMPLE);
    const wrongEnv = cloudEnv(cloud, { DECODE_KEY_PATH: wrong.privateKeyPath });
    assert.equal((await remoteGenAsync(dir, wrongEnv)).status, 0);
    for (let run = 1; run <= 2; run++) {
      const build = await ninjaAsync(dir, wrongEnv);
      assert.notEqual(build.status, 0);
      assert.match(
        build.stderr,
        /remote-exec: error: ssh: authentication failed .*; terminated i-\w+/,
      );
      assert.deepEqual(
        projectInstances(cloud, dir).filter((instance) => instance.state === 'running'),
        [],
      );
    }
    const status = await remoteExecAsync(dir, wrongEnv, ['status']);
    assert.match(status.stdout, /^[0-9a-f]{12}: i-\w+ terminated \(ssh: authentication failed/);
  });

  it('keepOnFailure keeps it, and status and down know it', async () => {
    const wrong = cloud.addKeyPair('not-authorized-either');
    const dir = configProject(
      cloud,
      {},
      { sshArgs: { privateKeyPath: wrong.privateKeyPath }, keepOnFailure: true },
    );
    const result = await exec(dir, ['--', 'true']);
    assert.equal(result.status, 255);
    const kept = /authentication failed .*; kept (i-\w+) running \(options\.keepOnFailure\)/.exec(
      result.stderr,
    )?.[1];
    assert.ok(kept, result.stderr);
    const status = await exec(dir, ['status']);
    assert.match(status.stdout, new RegExp(`^[0-9a-f]{12}: ${kept} at 127\\.\\S+, running`));
    const down = await exec(dir, ['down']);
    assert.equal(down.status, 0, down.stderr);
    assert.match(down.stderr, new RegExp(`terminated ${kept}`));
    assert.deepEqual(projectInstances(cloud, dir), []);
  });

  it('an instance no job ever reaches shuts itself down: the idle watchdog starts from UserData at boot', async () => {
    const wrong = cloud.addKeyPair('not-authorized-at-all');
    const dir = configProject(
      cloud,
      {},
      { sshArgs: { privateKeyPath: wrong.privateKeyPath }, keepOnFailure: true, idleMinutes: 0.05 },
    );
    const result = await exec(dir, ['--', 'true']);
    const kept = /; kept (i-\w+) running/.exec(result.stderr)?.[1];
    assert.ok(kept, result.stderr);
    // idleMinutes, plus the grace the boot watchdog gives a slow first connection.
    await eventually(
      () => !projectInstances(cloud, dir).some((instance) => instance.instanceId === kept),
    );
    const terminatedByCall = cloud
      .calls()
      .some((call) => call.action === 'TerminateInstances' && call.params['InstanceId.1'] === kept);
    assert.ok(!terminatedByCall, 'the guard from UserData, not an API call');
    assert.equal((await exec(dir, ['down'])).status, 0);
  });

  it('Ctrl-C right after the launch: status, the next step and down know the instance', async () => {
    const dir = configProject(cloud);
    const child = spawn(STEP_CLIENT, ['--config', 'remote.json', 'up'], {
      cwd: dir,
      env: withEnv(env),
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      if (/launched; waiting for it to run/.test(stderr)) child.kill('SIGINT');
    });
    await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(projectInstances(cloud, dir).length, 1);
    const [instance] = projectInstances(cloud, dir);
    const status = await exec(dir, ['status']);
    assert.match(status.stdout, new RegExp(`^[0-9a-f]{12}: ${instance!.instanceId}`));
    const launches = runInstancesCalls(cloud);
    const next = await exec(dir, ['--', 'true']);
    assert.equal(next.status, 0, next.stderr);
    assert.equal(runInstancesCalls(cloud), launches, 'the next step reuses it');
    const down = await exec(dir, ['down']);
    assert.equal(down.status, 0, down.stderr);
    assert.match(down.stderr, new RegExp(`terminated ${instance!.instanceId}`));
    assert.deepEqual(projectInstances(cloud, dir), []);
  });

  it('an unreadable state file is an error saying how to recover, never a second launch', async () => {
    const dir = configProject(cloud);
    assert.equal((await exec(dir, ['--', 'true'])).status, 0);
    const launches = runInstancesCalls(cloud);
    const path = instanceStateFile(dir);
    writeFileSync(path, 'garbage{{{');
    for (const args of [['--', 'true'], ['up']]) {
      const result = await exec(dir, args);
      assert.equal(result.status, 255);
      assert.equal(
        result.stderr,
        `remote-exec: error: ${path}: unreadable instance state (not JSON); run remote-exec down, which finds the instance by its tags\n`,
      );
    }
    assert.equal(runInstancesCalls(cloud), launches);
    const status = await exec(dir, ['status']);
    assert.equal(status.status, 0);
    assert.match(status.stdout, /unreadable instance state/);
    const down = await exec(dir, ['down']);
    assert.equal(down.status, 0, down.stderr);
    assert.deepEqual(projectInstances(cloud, dir), []);
    assert.equal((await exec(dir, ['--', 'true'])).status, 0, 'usable again after down');
    assert.equal((await exec(dir, ['down'])).status, 0);
  });

  it("keeps the user's own UserData beside the guard", async () => {
    const own = Buffer.from('#!/bin/sh\necho "own user data" > "$HOME/own.txt"\n').toString(
      'base64',
    );
    const dir = configProject(cloud, {}, { instanceArgs: { UserData: own } });
    // cloud-init runs user data after sshd starts, so a job may come first and wait for it.
    const result = await exec(dir, [
      '--',
      'until [ -s "$HOME/own.txt" ]; do sleep 0.1; done; cat "$HOME/own.txt"',
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'own user data\n');
    assert.equal((await exec(dir, ['down'])).status, 0);
  });
});
