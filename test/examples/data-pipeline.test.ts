import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { LOCAL } from '../helpers/cli.js';
import {
  cloudEnv,
  copyOf,
  example,
  liveInstances,
  ninjaAsync,
  remoteExecAsync,
  remoteGenAsync,
  runInstancesCalls,
  testCloud,
} from '../helpers/cloud.js';

describe('examples/data-pipeline: data made here, two chained steps remotely, a report here', () => {
  let cloud: Cloud;
  let env: NodeJS.ProcessEnv;
  let dir: string;

  before(async () => {
    cloud = await testCloud();
    env = cloudEnv(cloud);
    dir = copyOf(example('data-pipeline'));
  });
  after(async () => {
    assert.equal((await remoteExecAsync(dir, env, ['down'])).status, 0);
    assert.deepEqual(liveInstances(cloud), []);
    await cloud.stop();
  });

  it("builds with remote-gen && ninja a report byte for byte equal to a local build's", async () => {
    assert.equal((await remoteGenAsync(dir, env)).status, 0);
    const build = await ninjaAsync(dir, env);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    const order = [
      'LOCAL data/measurements.csv',
      'REMOTE work/stats.csv',
      'REMOTE work/ranking.txt',
      'LOCAL report.txt',
    ];
    const positions = order.map((step) => build.stdout.indexOf(step));
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
      build.stdout,
    );
    assert.ok(!positions.includes(-1), build.stdout);
    assert.equal(runInstancesCalls(cloud), 1, 'both remote steps share one instance');
    assert.ok(
      statSync(join(dir, 'data/measurements.csv')).size > 2_000_000,
      'a few MB of data went up',
    );

    const local = copyOf(example('data-pipeline'));
    assert.equal((await remoteGenAsync(local, env)).status, 0);
    const localBuild = await ninjaAsync(local, { ...env, ...LOCAL });
    assert.equal(localBuild.status, 0, localBuild.stdout + localBuild.stderr);
    for (const file of ['work/stats.csv', 'work/ranking.txt', 'report.txt']) {
      assert.deepEqual(readFileSync(join(dir, file)), readFileSync(join(local, file)), file);
    }
    assert.match(
      readFileSync(join(dir, 'report.txt'), 'utf8'),
      /^150000 readings from 40 sensors\n/,
    );
    assert.match((await ninjaAsync(dir, env)).stdout, /ninja: no work to do/);
  });
});
