import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConstraint, satisfies, versionOf } from '../../src/api/requirements.js';
import { makeProject, STEP_CLIENT, remoteGen, run } from '../helpers/cli.js';

const HEADER = `import { EnvironmentRemote } from 'scons-remote';
const env = new EnvironmentRemote();
`;
const connect = (options: string, line = 'env') =>
  `${line}.connectionInitialize({ region: 'us-west-2' }, { ImageId: 'ami-1', MinCount: 1, MaxCount: 1 }, { username: 'ubuntu', privateKeyPath: 'key.pem' }, ${options});\n`;
const STEP = `env.commandRemote({ target: 'a', action: env.actionRemote({ cmd: 'true' }) });\n`;

describe('requires and setup in build.remote.ts and remote.json', () => {
  const cases: Record<string, [string, RegExp]> = {
    'a requirement that is no command name': [
      `{ requires: ['gcc', 'rm -rf /'] }`,
      /^remote-gen: error: build\.remote\.ts:3: connectionInitialize: options\.requires\[1\]: "rm -rf \/" is not a command name$/,
    ],
    'a version that is no constraint': [
      `{ requires: [{ cmd: 'python3', version: '3.10' }] }`,
      /^remote-gen: error: build\.remote\.ts:3: connectionInitialize: options\.requires\[0\]: version "3\.10" is not a constraint such as '>=3\.10' or '>=3\.10, <4'$/,
    ],
    'a requirement with an unknown key': [
      `{ requires: [{ cmd: 'python3', versions: '>=3' }] } as never`,
      /^remote-gen: error: build\.remote\.ts:3: connectionInitialize: options\.requires\[0\] must be a command name or \{ cmd, version \}, not 'versions'$/,
    ],
    'an empty setup': [
      `{ setup: '  ' }`,
      /^remote-gen: error: build\.remote\.ts:3: connectionInitialize: options\.setup must be a non-empty shell script$/,
    ],
  };
  for (const [name, [options, expected]] of Object.entries(cases)) {
    it(`refuses ${name} in build.remote.ts, naming its line`, () => {
      const dir = makeProject({
        'build.remote.ts': HEADER + connect(options) + STEP,
        'key.pem': '',
      });
      const result = remoteGen(dir);
      assert.equal(result.status, 1);
      assert.match(result.stderr.trim(), expected);
      assert.equal(existsSync(join(dir, 'build.ninja')), false);
    });
  }

  it('refuses a bad requirement in remote.json, naming the file', () => {
    const config = {
      clientArgs: { region: 'us-west-2' },
      instanceArgs: { ImageId: 'ami-1' },
      sshArgs: { username: 'ubuntu' },
      options: { requires: [{ cmd: 'python3', version: 'new' }] },
    };
    const dir = makeProject({ 'remote.json': JSON.stringify(config) });
    const result = run(STEP_CLIENT, ['--config', 'remote.json', '--', 'true'], dir);
    assert.equal(result.status, 255);
    assert.equal(
      result.stderr,
      `remote-exec: error: remote.json: options.requires[0]: version "new" is not a constraint such as '>=3.10' or '>=3.10, <4'\n`,
    );
  });

  it('keeps the profile id when only setup changes, and refuses two setups for one instance', () => {
    const dir = makeProject({
      'build.remote.ts': HEADER + connect(`{ setup: 'echo one' }`) + STEP,
      'key.pem': '',
    });
    assert.equal(remoteGen(dir).status, 0);
    const profileOf = () =>
      /--profile ([0-9a-f]{12})/.exec(readFileSync(join(dir, 'build.ninja'), 'utf8'))![1];
    const first = profileOf();
    const description = HEADER + connect(`{ setup: 'echo two' }`) + STEP;
    const again = makeProject({ 'build.remote.ts': description, 'key.pem': '' });
    assert.equal(remoteGen(again).status, 0);
    assert.equal(
      /--profile ([0-9a-f]{12})/.exec(readFileSync(join(again, 'build.ninja'), 'utf8'))![1],
      first,
    );
    const twoWays =
      HEADER +
      connect(`{ setup: 'echo one' }`) +
      STEP +
      `const other = new EnvironmentRemote();\n` +
      connect(`{ setup: 'echo two' }`, 'other') +
      `other.commandRemote({ target: 'b', action: other.actionRemote({ cmd: 'true' }) });\n`;
    const clash = makeProject({ 'build.remote.ts': twoWays, 'key.pem': '' });
    const result = remoteGen(clash);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^remote-gen: error: build\.remote\.ts:7: this connection differs from another only in options\.requires or options\.setup/,
    );
  });
});

describe('version constraints', () => {
  it('reads the first dotted number of a --version line', () => {
    assert.deepEqual(versionOf('Python 3.10.12'), [3, 10, 12]);
    assert.deepEqual(versionOf('x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14) 12.2.0'), [12, 2, 0]);
    assert.deepEqual(versionOf('v20.11.1'), [20, 11, 1]);
    assert.deepEqual(versionOf('tool 7'), [7]);
    assert.equal(versionOf('no version here'), undefined);
  });

  it('compares dotted numbers part by part, = naming a release line', () => {
    assert.equal(satisfies([3, 10, 12], '>=3.10'), true);
    assert.equal(satisfies([3, 9], '>=3.10'), false);
    assert.equal(satisfies([3, 10], '>=3.10.0'), true);
    assert.equal(satisfies([4, 0], '>=3.10, <4'), false);
    assert.equal(satisfies([3, 10, 12], '=3.10'), true);
    assert.equal(satisfies([3, 1], '=3.10'), false);
    assert.equal(satisfies([2], '>1'), true);
    assert.equal(satisfies([1, 0, 1], '<=1.0'), false);
    assert.equal(parseConstraint('3.10'), undefined);
    assert.equal(parseConstraint('>=3.x'), undefined);
  });
});
