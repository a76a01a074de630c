import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeProject, REMOTE_EXEC, remoteGen, run } from '../helpers/cli.js';

const description = (port: number) => `import { EnvironmentRemote } from 'scons-remote';
const env = new EnvironmentRemote();
env.remoteExecutionInitialize({ endpoint: 'grpc://127.0.0.1:${port}' });
env.commandRemote({ target: 'out.txt', action: env.actionRemote({ cmd: 'echo hi > out.txt' }) });
`;

describe('remote-exec prune with engine profiles', () => {
  it('forgets an engine profile build.ninja no longer names, keeping the one it names', () => {
    const dir = makeProject({ 'build.remote.ts': description(1) });
    assert.equal(remoteGen(dir).status, 0);
    const profiles = join(dir, '.scons-remote', 'profiles');
    const [old] = readdirSync(profiles);
    writeFileSync(join(dir, 'build.remote.ts'), description(2));
    assert.equal(remoteGen(dir).status, 0);
    assert.equal(readdirSync(profiles).length, 2);

    const pruned = run(process.execPath, [REMOTE_EXEC, 'prune'], dir);
    assert.equal(pruned.status, 0, pruned.stderr);
    const oldId = old!.replace(/\.json$/, '');
    assert.match(
      pruned.stderr,
      new RegExp(`^remote-exec: ${oldId}: no longer in build\\.ninja; pruned$`, 'm'),
    );
    const left = readdirSync(profiles);
    assert.equal(left.length, 1);
    assert.notEqual(left[0], old);
  });
});
