import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startReapiServer, type ReapiServer } from '../../src/emulator/reapi/reapi-server.js';
import { LOCAL, makeProject, REMOTE_EXEC, runAsync, tempDir } from '../helpers/cli.js';
import { describeTree } from './step.js';

const STEPS = 12;

const MAKEFILE = `REMOTE = ${process.execPath} ${REMOTE_EXEC} --config remote.json
all: $(shell seq -f 'out/%g.txt' 1 ${STEPS})

out/%.txt: in.txt
\t$(REMOTE) --in in.txt --out $@ -- 'mkdir -p out && (cat in.txt; echo $*) > $@'
`;

describe('steps of a build on a Remote Execution API engine', () => {
  let server: ReapiServer;
  before(async () => {
    server = await startReapiServer({});
  });
  after(() => server.close());

  it('share one gRPC channel through the agent under make -j8, as a local build', async () => {
    const dir = makeProject({ Makefile: MAKEFILE, 'in.txt': 'shared input\n' });
    const local = tempDir();
    cpSync(dir, local, { recursive: true });
    const remoteJson = { remoteExecution: { endpoint: server.endpoint } };
    writeFileSync(join(dir, 'remote.json'), JSON.stringify(remoteJson));
    const localBuild = await runAsync('make', ['-j8'], local, LOCAL);
    assert.equal(localBuild.status, 0, localBuild.stderr);

    const build = await runAsync('make', ['-j8'], dir, { SCONS_REMOTE_MODE: undefined });
    assert.equal(build.status, 0, build.stdout + build.stderr);
    assert.deepEqual(describeTree(join(dir, 'out')), describeTree(join(local, 'out')));
    assert.equal(server.stats.executions, STEPS);
    assert.equal(server.peers.size, 1, `connections from ${[...server.peers].join(', ')}`);
  });
});
