import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { makeProject, STEP_CLIENT, run } from '../helpers/cli.js';
import { cloudEnv, liveInstances, remoteExecAsync, testCloud } from '../helpers/cloud.js';
import { configProject } from '../helpers/remote-project.js';

/** Arguments naming paths outside the project, and the one line each must produce. */
function outsideCases(dir: string): [string[], string][] {
  const outside = (flag: string, path: string) =>
    `remote-exec: error: ${flag} '${path}' is not inside ${dir}, the folder remote-exec runs for\n`;
  return [
    [['--out', '../x'], outside('--out', '../x')],
    [['--out', '.'], outside('--out', '.')],
    [['--out', '/tmp/elsewhere.txt'], outside('--out', '/tmp/elsewhere.txt')],
    [['--in', '/etc/hostname'], outside('--in', '/etc/hostname')],
    [['--in', 'sub/../..'], outside('--in', 'sub/../..')],
    [['--depfile', '../x.d'], outside('--depfile', '../x.d')],
  ];
}

describe('remote-exec paths in local mode', () => {
  const local = (dir: string, args: string[], cwd = dir) =>
    run(STEP_CLIENT, ['--config', join(dir, 'remote.json'), ...args], cwd, {
      SCONS_REMOTE_MODE: 'local',
    });

  it('refuses inputs and outputs outside the folder of remote.json, naming the argument, and runs nothing', () => {
    const dir = makeProject({});
    for (const [args, message] of outsideCases(dir)) {
      const result = local(dir, [...args, '--', 'touch ran']);
      assert.equal(result.status, 255);
      assert.equal(result.stderr, message);
      assert.ok(!existsSync(join(dir, 'ran')));
    }
  });

  it('refuses a working directory outside that folder', () => {
    const dir = makeProject({ 'project/remote.json': '{}' });
    const result = local(join(dir, 'project'), ['--', 'true'], dir);
    assert.equal(result.status, 255);
    assert.equal(
      result.stderr,
      `remote-exec: error: the working directory ${dir} is not inside ${join(dir, 'project')}, the folder remote-exec runs for\n`,
    );
  });
});

describe('remote-exec paths on the emulated cloud', () => {
  let cloud: Cloud;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    cloud = await testCloud();
    env = cloudEnv(cloud);
  });
  after(async () => {
    const running = liveInstances(cloud).filter((instance) => instance.state === 'running');
    await cloud.stop();
    assert.deepEqual(running, [], 'every test terminates what it launched');
  });

  it('refuses paths outside the folder of remote.json with one line, and accepts absolute paths inside it', async () => {
    const dir = configProject(cloud, { 'in.txt': 'data\n' });
    for (const [args, message] of outsideCases(dir)) {
      const result = await remoteExecAsync(dir, env, [
        '--config',
        'remote.json',
        ...args,
        '--',
        'true',
      ]);
      assert.equal(result.status, 255);
      assert.equal(result.stderr, message);
    }
    const absolute = await remoteExecAsync(dir, env, [
      '--config',
      'remote.json',
      '--in',
      join(dir, 'in.txt'),
      '--out',
      join(dir, 'out/copy.txt'),
      '--',
      'cp in.txt out/copy.txt',
    ]);
    assert.equal(absolute.status, 0, absolute.stderr);
    assert.equal(readFileSync(join(dir, 'out/copy.txt'), 'utf8'), 'data\n');
    assert.equal((await remoteExecAsync(dir, env, ['--config', 'remote.json', 'down'])).status, 0);
  });

  it('runs from a subfolder with paths relative to it, as the same command would run here', async () => {
    const dir = configProject(cloud, { 'data.txt': 'shared\n', 'sub/local.txt': 'mine\n' });
    mkdirSync(join(dir, 'sub/out'), { recursive: true });
    const step = await remoteExecAsync(join(dir, 'sub'), env, [
      '--config',
      '../remote.json',
      '--in',
      '../data.txt',
      '--in',
      'local.txt',
      '--out',
      '../top.txt',
      '--out',
      'out/both.txt',
      '--',
      'cat ../data.txt local.txt > out/both.txt && pwd > ../top.txt',
    ]);
    assert.equal(step.status, 0, step.stderr);
    assert.equal(readFileSync(join(dir, 'sub/out/both.txt'), 'utf8'), 'shared\nmine\n');
    assert.match(readFileSync(join(dir, 'top.txt'), 'utf8'), /\/sub\n$/);
    assert.equal((await remoteExecAsync(dir, env, ['--config', 'remote.json', 'down'])).status, 0);
  });
});
