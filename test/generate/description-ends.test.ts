import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeProject, remoteGen } from '../helpers/cli.js';

const HEADER = `import { EnvironmentRemote } from 'scons-remote';
const env = new EnvironmentRemote();
env.command({ target: 'a.txt', action: 'echo a > $TARGET' });
`;
const PREVIOUS = '# the previous build.ninja\n';

/** Each case: description body (after HEADER, at line 4), and the one line remote-gen must print. */
const CASES: Record<string, [string, RegExp]> = {
  'calls process.exit(0)': [
    'process.exit(0);\n',
    /^remote-gen: error: build\.remote\.ts:4: the description called process\.exit\(0\), so remote-gen wrote nothing; throw an Error to stop it with a message$/,
  ],
  'awaits a promise that never settles': [
    'await new Promise(() => {});\n',
    /^remote-gen: error: build\.remote\.ts never finished: its top-level await is waiting for a promise that nothing will settle$/,
  ],
  'throws from a timer after its declarations': [
    'setTimeout(() => { throw new Error("late failure"); }, 10);\n',
    /^remote-gen: error: build\.remote\.ts:4: Error: late failure$/,
  ],
  'rejects a promise nobody awaits': [
    'void (async () => { await new Promise((resolve) => setTimeout(resolve, 10)); throw new RangeError("lost"); })();\n',
    /^remote-gen: error: build\.remote\.ts:4: RangeError: lost$/,
  ],
};

describe('remote-gen on a description that ends badly', () => {
  for (const [name, [body, expected]] of Object.entries(CASES)) {
    it(`says so in one line when it ${name}, exits 1 and leaves the previous build.ninja`, () => {
      const dir = makeProject({ 'build.remote.ts': HEADER + body, 'build.ninja': PREVIOUS });
      const gen = remoteGen(dir);
      assert.equal(gen.status, 1, gen.stderr);
      assert.match(gen.stderr.trimEnd(), expected);
      assert.equal(gen.stderr.trimEnd().split('\n').length, 1, gen.stderr);
      assert.equal(readFileSync(join(dir, 'build.ninja'), 'utf8'), PREVIOUS);
      assert.ok(!existsSync(join(dir, '.scons-remote')));
    });
  }

  it('waits for timers the description started before writing build.ninja', () => {
    const dir = makeProject({
      'build.remote.ts': `${HEADER}setTimeout(() => env.command({ target: 'b.txt', action: 'echo b > $TARGET' }), 10);\n`,
    });
    const gen = remoteGen(dir);
    assert.equal(gen.status, 0, gen.stderr);
    assert.match(readFileSync(join(dir, 'build.ninja'), 'utf8'), /^build b\.txt: local$/m);
  });
});
