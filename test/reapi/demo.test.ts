import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runAsync, tempDir } from '../helpers/cli.js';

const DEMO = fileURLToPath(new URL('../../examples/demo.js', import.meta.url));

describe('npm run demo -- --reapi', () => {
  it('builds the decode example on the test engine, then from its cache, as a local build', async () => {
    const ran = await runAsync(process.execPath, [DEMO, '--reapi'], tempDir(), {
      SCONS_REMOTE_MODE: undefined,
    });
    assert.equal(ran.status, 0, ran.stdout + ran.stderr);
    assert.match(ran.stdout, /^Meet me at the build farm at midnight\.$/m);
    assert.match(ran.stdout, /^engine: 1 action\(s\) run, \d+ blob\(s\) received$/m);
    assert.match(ran.stdout, /^engine: 0 action\(s\) run, 0 blob\(s\) received$/m);
    assert.match(ran.stdout, /^Remote and local outputs are equal, byte for byte\.$/m);
  });
});
