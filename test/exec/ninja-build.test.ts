import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { LOCAL } from '../helpers/cli.js';
import {
  cloudEnv,
  copyOf,
  DECODE_EXAMPLE,
  liveInstances,
  ninjaAsync,
  projectInstances,
  remoteExecAsync,
  remoteGenAsync,
  runInstancesCalls,
  testCloud,
} from '../helpers/cloud.js';

describe('remote-gen && ninja on the emulated cloud', () => {
  let cloud: Cloud;
  let env: NodeJS.ProcessEnv;
  const projects: string[] = [];
  const project = (source: string) => {
    const dir = copyOf(source);
    projects.push(dir);
    return dir;
  };

  before(async () => {
    cloud = await testCloud();
    env = cloudEnv(cloud);
  });
  after(async () => {
    for (const dir of projects) await remoteExecAsync(dir, env, ['down']);
    assert.deepEqual(liveInstances(cloud), []);
    await cloud.stop();
  });

  it('builds the decode example remotely, byte for byte as the local build, showing provisioning live', async () => {
    const remote = project(DECODE_EXAMPLE);
    const local = project(DECODE_EXAMPLE);
    assert.equal((await remoteGenAsync(remote, env)).status, 0);
    const build = await ninjaAsync(remote, env);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    assert.match(build.stdout, /PROVISION [0-9a-f]{12}\n[\s\S]*REMOTE decoded\.txt/);
    assert.match(
      build.stderr,
      /^remote-exec: launching t2\.micro[\s\S]*ready/,
      'the console pool shows provisioning as it happens',
    );
    assert.equal((await remoteGenAsync(local, env)).status, 0);
    assert.equal((await ninjaAsync(local, { ...env, ...LOCAL })).status, 0);
    for (const file of ['decoded.txt', 'summary.txt'])
      assert.deepEqual(readFileSync(join(remote, file)), readFileSync(join(local, file)), file);
    assert.match(
      readFileSync(join(remote, 'decoded.txt'), 'utf8'),
      /^Meet me at the build farm at midnight\./,
    );
    for (const mode of [env, { ...env, ...LOCAL }])
      assert.match((await ninjaAsync(remote, mode)).stdout, /ninja: no work to do/);
  });

  it('gives a step with overridden connection arguments its own instance', async () => {
    const dir = project(DECODE_EXAMPLE);
    const extra = `env.commandRemote({ target: 'big.txt', source: ['decode.py', 'message.txt', env.value(1)], action: env.actionRemote({ cmd: 'python3' }), instanceArgs: { InstanceType: 'c5.large' } });`;
    writeFileSync(
      join(dir, 'build.remote.ts'),
      `${readFileSync(join(dir, 'build.remote.ts'), 'utf8')}\n${extra}\nenv.default('big.txt');\n`,
    );
    assert.equal((await remoteGenAsync(dir, env)).status, 0);
    const build = await ninjaAsync(dir, env);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    const mine = projectInstances(cloud, dir);
    assert.equal(mine.length, 2);
    assert.equal(new Set(mine.map((instance) => instance.tags['scons-remote:profile'])).size, 2);
  });

  it('runs 32 remote steps at -j8 on one instance, and provisions nothing when nothing remote is dirty', async () => {
    const dir = project(DECODE_EXAMPLE);
    const steps = Array.from(
      { length: 32 },
      (_, i) =>
        `env.commandRemote({ target: 'out/${i}.txt', source: ['decode.py', 'message.txt', env.value(${i % 26})], action: env.actionRemote({ cmd: 'python3' }) });`,
    );
    const description = readFileSync(join(dir, 'build.remote.ts'), 'utf8').replace(
      '{ sshRetries: 6, idleMinutes: 15 }',
      '{ sshRetries: 6, idleMinutes: 15, jobs: 8 }',
    );
    writeFileSync(
      join(dir, 'build.remote.ts'),
      `${description}\n${steps.join('\n')}\n`.replace("env.default('summary.txt');", ''),
    );
    const launches = runInstancesCalls(cloud);
    const gen = await remoteGenAsync(dir, env);
    assert.equal(gen.status, 0, gen.stderr);
    const build = await ninjaAsync(dir, env, ['-j8']);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    assert.equal(runInstancesCalls(cloud) - launches, 1);
    assert.equal(readdirSync(join(dir, 'out')).length, 32);
    assert.equal(
      readFileSync(join(dir, 'out/13.txt'), 'utf8'),
      readFileSync(join(dir, 'decoded.txt'), 'utf8'),
    );
    const calls = cloud.calls().length;
    writeFileSync(join(dir, 'summary.txt'), 'touched');
    const again = await ninjaAsync(dir, env);
    assert.equal(again.status, 0);
    assert.doesNotMatch(again.stdout, /PROVISION|REMOTE/);
    assert.equal(cloud.calls().length, calls, 'no AWS call');
  });
});
