import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { makeProject, REMOTE, REMOTE_EXEC, remoteGen, runAsync } from '../helpers/cli.js';
import { configProjectsOnEngine } from '../helpers/engine-project.js';
import { builtLocally } from '../helpers/local-build.js';
import { describeTree } from './step.js';

const API_KEY = 'key-from-the-environment';

const description = (endpoint: string) => `import { EnvironmentRemote } from 'scons-remote';

const env = new EnvironmentRemote();
env.remoteExecutionInitialize({
  endpoint: '${endpoint}',
  platform: { OSFamily: 'linux' },
  timeoutSeconds: 60,
  headersFromEnv: { 'x-api-key': 'TEST_REAPI_KEY' },
});
for (const name of ['a', 'b', 'c']) {
  env.commandRemote({
    target: \`out/\${name}.txt\`,
    source: ['upper.sh', \`in/\${name}.txt\`],
    action: env.actionRemote({ cmd: 'sh' }),
  });
}
`;

const PROJECT = {
  'upper.sh': 'mkdir -p "$(dirname "$2")" && tr a-z A-Z < "$1" > "$2"\n',
  'in/a.txt': 'first\n',
  'in/b.txt': 'second\n',
  'in/c.txt': 'third\n',
};

describe('remote-gen and ninja with a Remote Execution API engine', () => {
  const { server } = configProjectsOnEngine();
  before(() => {
    server().faults.requiredHeader = { name: 'x-api-key', value: API_KEY };
  });

  it('runs commandRemote steps as actions, as a local build, with no secret on disk', async () => {
    const dir = makeProject({ ...PROJECT, 'build.remote.ts': description(server().endpoint) });
    const generated = remoteGen(dir);
    assert.equal(generated.status, 0, generated.stderr);
    const manifest = readFileSync(join(dir, 'build.ninja'), 'utf8');
    assert.doesNotMatch(manifest, /^build .*: provision/m, 'an engine needs no instance');
    const profilesDir = join(dir, '.scons-remote', 'profiles');
    const [profile] = readdirSync(profilesDir);
    const saved = readFileSync(join(profilesDir, profile!), 'utf8');
    assert.match(saved, /"remoteExecution"/);
    for (const text of [manifest, saved]) assert.ok(!text.includes(API_KEY), 'no credential');

    const local = await builtLocally(dir, 'ninja');

    const env = { ...REMOTE, TEST_REAPI_KEY: API_KEY };
    const build = await runAsync('ninja', ['-j4'], dir, env);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    assert.deepEqual(describeTree(join(dir, 'out')), describeTree(join(local, 'out')));
    assert.equal(server().stats.executions, 3);

    rmSync(join(dir, 'out'), { recursive: true });
    const again = await runAsync('ninja', ['-j4'], dir, env);
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.equal(server().stats.executions, 3, 'all cache hits');
    assert.deepEqual(describeTree(join(dir, 'out')), describeTree(join(local, 'out')));

    const down = await runAsync(process.execPath, [REMOTE_EXEC, 'down'], dir, env);
    assert.notEqual(down.status, 0);
    assert.match(down.stderr, /name remote execution engines, which have no instances\n$/);
  });

  it('names the description line of a bad engine option or of instance arguments for an engine', () => {
    const bad = `import { EnvironmentRemote } from 'scons-remote';
const env = new EnvironmentRemote();
env.remoteExecutionInitialize({ endpoint: 'grpc://127.0.0.1:1', timeoutSeconds: -1 });
`;
    const badRun = remoteGen(makeProject({ 'build.remote.ts': bad }));
    assert.notEqual(badRun.status, 0);
    assert.match(
      badRun.stderr,
      /build\.remote\.ts:3: remoteExecution timeoutSeconds must be a whole number/,
    );
    const mixed = `${description('grpc://127.0.0.1:1')}env.commandRemote({
  target: 'x.txt',
  action: env.actionRemote({ cmd: 'true' }),
  sshArgs: { username: 'u' },
});
`;
    const mixedRun = remoteGen(makeProject({ 'build.remote.ts': mixed }));
    assert.notEqual(mixedRun.status, 0);
    assert.match(
      mixedRun.stderr,
      /build\.remote\.ts:\d+: commandRemote for 'x\.txt' gives instance/,
    );
  });
});
