import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { makeProject, STEP_CLIENT, runAsync } from '../helpers/cli.js';
import {
  cloudEnv,
  copyOf,
  DECODE_EXAMPLE,
  liveInstances,
  ninjaAsync,
  projectInstances,
  remoteExecAsync,
  remoteGenAsync,
  testCloud,
} from '../helpers/cloud.js';
import { remoteConfig } from '../helpers/remote-project.js';

const TARGETS = Array.from({ length: 16 }, (_, i) => `out/${i + 1}.txt`);

const MAKEFILE = `REMOTE = ${STEP_CLIENT} --config remote.json
all: ${TARGETS.join(' ')}
out/%.txt: in.txt
\t$(REMOTE) --in in.txt --out $@ -- cp in.txt $@
`;

/** A remote.json whose options add `extra` (requires, setup) to the usual ones. */
function configWith(cloud: Cloud, extra: Record<string, unknown>): string {
  const config = JSON.parse(remoteConfig(cloud)) as { options: Record<string, unknown> };
  config.options = { ...config.options, ...extra };
  return JSON.stringify(config);
}

/** Appends a line to a file on the instance, so the test can count the runs. */
const counting = (tag: string) => `echo ${tag} >> "$HOME/setup-runs"\necho "setting up ${tag}"\n`;

describe('options.setup and options.requires prepare the instance once', () => {
  let cloud: Cloud;
  let env: NodeJS.ProcessEnv;
  const projects: string[] = [];

  function makeBuild(options: Record<string, unknown>): string {
    const dir = makeProject({
      Makefile: MAKEFILE,
      'in.txt': 'payload\n',
      'remote.json': configWith(cloud, options),
    });
    projects.push(dir);
    return dir;
  }
  /** A few steps, where running all 16 would only cost time. */
  const FEW = TARGETS.slice(0, 2);
  const make = (dir: string, targets = FEW) =>
    runAsync('make', [`-j${targets.length}`, ...targets], dir, env);
  const onInstance = (dir: string, command: string) =>
    remoteExecAsync(dir, env, ['--config', 'remote.json', 'ssh', '--', command]);
  const setupRuns = async (dir: string) =>
    (await onInstance(dir, 'cat setup-runs')).stdout.trim().split('\n');

  before(async () => {
    cloud = await testCloud();
    env = cloudEnv(cloud);
  });
  after(async () => {
    for (const dir of projects) {
      const selector = existsSync(join(dir, 'remote.json')) ? ['--config', 'remote.json'] : [];
      await remoteExecAsync(dir, env, [...selector, 'down']);
    }
    assert.deepEqual(liveInstances(cloud), []);
    await cloud.stop();
  });

  it('runs setup once when 16 steps start at once, showing its output once', async () => {
    const dir = makeBuild({ setup: counting('v1') });
    const build = await make(dir, TARGETS);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    for (const target of TARGETS)
      assert.equal(readFileSync(join(dir, target), 'utf8'), 'payload\n');
    assert.deepEqual(await setupRuns(dir), ['v1']);
    assert.equal(build.stdout.concat(build.stderr).split('setting up v1').length - 1, 1);
    assert.match(build.stderr, /remote-exec: running the setup script on i-\w+\n/);
    assert.equal(projectInstances(cloud, dir).length, 1);
  });

  it('runs setup again on the next build only when the script changed', async () => {
    const dir = makeBuild({ setup: counting('v1') });
    assert.equal((await make(dir)).status, 0);
    rmSync(join(dir, 'out'), { recursive: true });
    const same = await make(dir);
    assert.equal(same.status, 0, same.stderr);
    assert.doesNotMatch(same.stderr, /setup/);
    assert.deepEqual(await setupRuns(dir), ['v1']);
    writeFileSync(join(dir, 'remote.json'), configWith(cloud, { setup: counting('v2') }));
    rmSync(join(dir, 'out'), { recursive: true });
    const changed = await make(dir);
    assert.equal(changed.status, 0, changed.stderr);
    assert.match(changed.stderr, /setting up v2/);
    assert.deepEqual(await setupRuns(dir), ['v1', 'v2']);
    assert.equal(projectInstances(cloud, dir).length, 1, 'the same instance, prepared again');
  });

  it('stops the build on a failing setup, with its output and one error line, and retries next build', async () => {
    const dir = makeBuild({ setup: 'echo "apt-get: no such package frobnicate"\nexit 3\n' });
    const build = await make(dir);
    assert.notEqual(build.status, 0);
    assert.match(build.stderr, /apt-get: no such package frobnicate\n/);
    assert.match(
      build.stderr,
      /remote-exec: error: the setup script failed on i-\w+ \(exit 3\); see its output above\n/,
    );
    assert.equal(build.stderr.split('no such package frobnicate').length - 1, 1, 'run once');
    assert.equal(existsSync(join(dir, 'out')), false);
    writeFileSync(join(dir, 'remote.json'), configWith(cloud, { setup: counting('fixed') }));
    const fixed = await make(dir);
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.deepEqual(await setupRuns(dir), ['fixed']);
  });

  it('lists every missing or too old required command in one error, before any upload', async () => {
    const requires = ['sh', 'no-such-tool-xyz', { cmd: 'python3', version: '>=99' }];
    const dir = makeBuild({ requires });
    const build = await make(dir, FEW.slice(0, 1));
    assert.notEqual(build.status, 0);
    assert.match(
      build.stderr,
      /remote-exec: error: i-\w+ lacks what options\.requires asks for: no-such-tool-xyz \(not found\), python3 >=99 \(found 3\.\d+\.\d+\)\n/,
    );
    assert.equal(existsSync(join(dir, 'out')), false);
    const jobs = await onInstance(dir, 'ls -A .scons-remote/jobs');
    assert.equal(jobs.stdout, '', 'nothing was uploaded');
  });

  it('builds when every requirement is met', async () => {
    const requires = [
      'sh',
      { cmd: 'python3', version: '>=3.0, <99' },
      { cmd: 'tar', version: '>=1' },
    ];
    const dir = makeBuild({ requires });
    const build = await make(dir);
    assert.equal(build.status, 0, build.stderr);
    assert.equal(readFileSync(join(dir, FEW[1]!), 'utf8'), 'payload\n');
  });

  it('shows setup live in ninja’s console pool, and again after the description changes it', async () => {
    const dir = copyOf(DECODE_EXAMPLE);
    projects.push(dir);
    const description = join(dir, 'build.remote.ts');
    const withSetup = (tag: string) =>
      writeFileSync(
        description,
        readFileSync(description, 'utf8').replace(
          /\{ sshRetries: 6, idleMinutes: 15(, setup: .*)? \}/,
          `{ sshRetries: 6, idleMinutes: 15, setup: ${JSON.stringify(counting(tag))} }`,
        ),
      );
    withSetup('n1');
    assert.equal((await remoteGenAsync(dir, env)).status, 0);
    const first = await ninjaAsync(dir, env);
    assert.equal(first.status, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /PROVISION [0-9a-f]{12}\n[\s\S]*REMOTE decoded\.txt/);
    assert.match(first.stderr, /running the setup script[\s\S]*setting up n1\n[\s\S]*setup done/);
    withSetup('n2');
    rmSync(join(dir, 'decoded.txt'));
    const second = await ninjaAsync(dir, env);
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /PROVISION/);
    assert.match(second.stderr, /setting up n2\n/);
    assert.deepEqual(await remoteSetupRuns(dir), ['n1', 'n2']);
  });

  const remoteSetupRuns = async (dir: string) =>
    (await remoteExecAsync(dir, env, ['ssh', '--', 'cat setup-runs'])).stdout.trim().split('\n');
});
