import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import {
  cloudEnv,
  copyOf,
  DECODE_EXAMPLE,
  ninjaAsync,
  remoteExecAsync,
  remoteGenAsync,
  testCloud,
} from '../helpers/cloud.js';

describe('outputs placed as if built here', () => {
  let cloud: Cloud;
  let env: NodeJS.ProcessEnv;
  let dir: string;

  before(async () => {
    cloud = await testCloud();
    env = cloudEnv(cloud);
    dir = copyOf(DECODE_EXAMPLE);
  });
  after(async () => {
    await remoteExecAsync(dir, env, ['down']);
    await cloud.stop();
  });

  it('leaves ninja nothing to do right after rebuilding an edited input, however fast, and belongs to the local user', async () => {
    assert.equal((await remoteGenAsync(dir, env)).status, 0);
    assert.equal((await ninjaAsync(dir, env)).status, 0);
    // Edits land at any point of a second: an output stamped with the instance's whole second would look older.
    for (let edit = 0; edit < 6; edit++) {
      writeFileSync(join(dir, 'message.txt'), `Zrrg zr ng gur ohvyq snez, ebhaq ${edit}.\n`);
      const build = await ninjaAsync(dir, env);
      assert.equal(build.status, 0, build.stdout + build.stderr);
      const explain = await ninjaAsync(dir, env, ['-n', '-d', 'explain']);
      assert.match(explain.stdout, /ninja: no work to do/, `after edit ${edit}: ${explain.stderr}`);
    }
    const decoded = statSync(join(dir, 'decoded.txt'));
    assert.equal(decoded.uid, process.getuid!());
    assert.equal(decoded.gid, process.getgid!());
    assert.ok(decoded.mtimeMs >= statSync(join(dir, 'message.txt')).mtimeMs);
  });
});
