import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { LOCAL, REMOTE_EXEC, runAsync } from '../helpers/cli.js';
import {
  cloudEnv,
  copyOf,
  example,
  liveInstances,
  runInstancesCalls,
  testCloud,
} from '../helpers/cloud.js';

const SHIM = `REMOTE_EXEC=${process.execPath} ${REMOTE_EXEC}`;

describe('examples/makefile: C files compiled remotely from a Makefile with make -j', () => {
  let cloud: Cloud;
  let dir: string;

  before(async () => {
    cloud = await testCloud();
    dir = copyOf(example('makefile'));
  });
  after(async () => {
    assert.equal((await runAsync('make', [SHIM, 'down'], dir, cloudEnv(cloud))).status, 0);
    assert.deepEqual(liveInstances(cloud), []);
    await cloud.stop();
  });

  it("builds on one instance a report equal to a local build's, and is then up to date", async () => {
    const build = await runAsync('make', ['-j4', SHIM], dir, cloudEnv(cloud));
    assert.equal(build.status, 0, build.stdout + build.stderr);
    assert.equal(runInstancesCalls(cloud), 1);
    assert.equal(readFileSync(join(dir, 'remote.json'), 'utf8').includes(cloud.imageId), true);
    const local = copyOf(example('makefile'));
    const localBuild = await runAsync('make', ['-j4', SHIM], local, cloudEnv(cloud, LOCAL));
    assert.equal(localBuild.status, 0, localBuild.stdout + localBuild.stderr);
    assert.deepEqual(
      readFileSync(join(dir, 'report.txt')),
      readFileSync(join(local, 'report.txt')),
    );
    assert.match(readFileSync(join(dir, 'report.txt'), 'utf8'), /^primes below 2000000: 148933\n/);
    const again = await runAsync('make', ['-j4', SHIM], dir, cloudEnv(cloud));
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /cc /, 'nothing is compiled again');
  });
});
