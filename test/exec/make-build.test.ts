import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { STEP_CLIENT, runAsync } from '../helpers/cli.js';
import {
  cloudEnv,
  copyOf,
  DECODE_EXAMPLE,
  liveInstances,
  remoteExecAsync,
  runInstancesCalls,
  testCloud,
} from '../helpers/cloud.js';
import { remoteConfig } from '../helpers/remote-project.js';

const MAKEFILE = (shim: string) => `REMOTE = ${shim} --config remote.json
SHIFTS = 1 2 3 4 5 6 7 8

all: $(SHIFTS:%=out/%.txt)

out/%.txt: decode.py message.txt
\t$(REMOTE) --in $^ --out $@ -- python3 decode.py message.txt $* $@

local/%.txt: decode.py message.txt
\tmkdir -p local && python3 decode.py message.txt $* $@
`;

describe('remote-exec called by hand from a Makefile', () => {
  let cloud: Cloud;
  let dir: string;

  before(async () => {
    cloud = await testCloud();
    dir = copyOf(DECODE_EXAMPLE);
    writeFileSync(join(dir, 'Makefile'), MAKEFILE(STEP_CLIENT));
    writeFileSync(join(dir, 'remote.json'), remoteConfig(cloud));
  });
  after(async () => {
    await remoteExecAsync(dir, cloudEnv(cloud), ['--config', 'remote.json', 'down']);
    assert.deepEqual(liveInstances(cloud), []);
    await cloud.stop();
  });

  it('shares one instance across make -j4, with outputs equal to a local run', async () => {
    const launches = runInstancesCalls(cloud);
    const build = await runAsync('make', ['-j4'], dir, cloudEnv(cloud));
    assert.equal(build.status, 0, build.stdout + build.stderr);
    assert.equal(runInstancesCalls(cloud) - launches, 1);
    const local = await runAsync('make', ['local/3.txt', 'local/8.txt'], dir, cloudEnv(cloud));
    assert.equal(local.status, 0, local.stderr);
    for (const shift of [3, 8])
      assert.deepEqual(
        readFileSync(join(dir, `out/${shift}.txt`)),
        readFileSync(join(dir, `local/${shift}.txt`)),
      );
    assert.match((await runAsync('make', [], dir, cloudEnv(cloud))).stdout, /Nothing to be done/);
  });
});
