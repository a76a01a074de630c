import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import {
  cloudEnv,
  liveInstances,
  projectInstances,
  remoteExecAsync,
  testCloud,
} from '../helpers/cloud.js';
import { configProject } from '../helpers/remote-project.js';

/** The profile id remote-exec gives the project's remote.json: the name of its state file. */
function profileIdOf(dir: string): string {
  return readdirSync(join(dir, '.scons-remote', 'instances'))
    .find((name) => /^[0-9a-f]{12}\.json$/.test(name))!
    .slice(0, -5);
}

function startTimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

describe('a build recovers from what happens to an instance and to its lock', () => {
  let cloud: Cloud;
  let env: NodeJS.ProcessEnv;
  const exec = (dir: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    remoteExecAsync(dir, { ...env, ...extraEnv }, ['--config', 'remote.json', ...args]);

  before(async () => {
    cloud = await testCloud();
    env = cloudEnv(cloud);
  });
  after(async () => {
    assert.deepEqual(liveInstances(cloud), [], 'every test ends with no instance left');
    await cloud.stop();
  });

  it('replaces an instance AWS says is running but SSH cannot reach, and says so', async () => {
    const dir = configProject(cloud, {}, { sshRetries: 1 });
    assert.equal((await exec(dir, ['--', 'true'])).status, 0);
    const [first] = projectInstances(cloud, dir);
    await cloud.killSshd(first!.instanceId);
    const result = await exec(dir, ['--out', 'o.txt', '--', 'echo back > o.txt']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(
        `^remote-exec: ${first!.instanceId} is running but unreachable \\(ssh: 127\\.\\S+ unreachable after \\d+ attempts \\(ECONNREFUSED\\)\\); terminating it and launching another\\nremote-exec: launching t2\\.micro`,
      ),
    );
    assert.equal(readFileSync(join(dir, 'o.txt'), 'utf8'), 'back\n');
    const [second] = projectInstances(cloud, dir);
    assert.notEqual(second!.instanceId, first!.instanceId);
    assert.equal((await exec(dir, ['down'])).status, 0);
  });

  it('takes over a lock whose pid now names an unrelated live process', async () => {
    const dir = configProject(cloud);
    assert.equal((await exec(dir, ['--', 'true'])).status, 0);
    const id = profileIdOf(dir);
    const unrelated = spawn('sleep', ['600']);
    try {
      // The pid lives, but started after the lock's holder did: pid reuse.
      const lock = {
        pid: unrelated.pid,
        start: String(Number(startTimeOf(unrelated.pid!)) - 1000),
        host: hostname(),
        since: '2026-01-01T00:00:00.000Z',
      };
      writeFileSync(join(dir, '.scons-remote', 'instances', `${id}.lock`), JSON.stringify(lock));
      await cloud.killSshd(projectInstances(cloud, dir)[0]!.instanceId);
      const result = await exec(dir, ['--', 'true']);
      assert.equal(result.status, 0, result.stderr);
      assert.doesNotMatch(result.stderr, /waiting for/);
    } finally {
      unrelated.kill();
    }
    assert.equal((await exec(dir, ['down'])).status, 0);
  });

  it('says who holds a lock it waits for, and gives up after the bound', async () => {
    const dir = configProject(cloud);
    assert.equal((await exec(dir, ['--', 'true'])).status, 0);
    const id = profileIdOf(dir);
    const holder = spawn('sleep', ['600']);
    try {
      const lockFile = join(dir, '.scons-remote', 'instances', `${id}.lock`);
      mkdirSync(join(dir, '.scons-remote', 'instances'), { recursive: true });
      writeFileSync(
        lockFile,
        JSON.stringify({
          pid: holder.pid,
          start: startTimeOf(holder.pid!),
          host: hostname(),
          since: '2026-01-01T00:00:00.000Z',
        }),
      );
      await cloud.killSshd(projectInstances(cloud, dir)[0]!.instanceId);
      const result = await exec(dir, ['--', 'true'], { SCONS_REMOTE_LOCK_WAIT_MINUTES: '0.01' });
      assert.equal(result.status, 255);
      const who = `pid ${holder.pid} on ${hostname()} \\(since 2026-01-01T00:00:00\\.000Z\\)`;
      assert.match(
        result.stderr,
        new RegExp(`^remote-exec: waiting for ${who}, which is provisioning this instance\\n`),
      );
      assert.match(
        result.stderr,
        new RegExp(
          `remote-exec: error: gave up waiting for ${lockFile.replace(/[.]/g, '\\.')}, held by ${who}; if that is no remote-exec of this build, remove the file\\n$`,
        ),
      );
    } finally {
      holder.kill();
    }
    assert.equal((await exec(dir, ['down'])).status, 0);
  });
});
