import assert from 'node:assert/strict';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startReapiServer, type ReapiServer } from '../../src/emulator/reapi/reapi-server.js';
import { LOCAL, makeProject, REMOTE_EXEC, runAsync, tempDir } from '../helpers/cli.js';
import { describeTree } from './step.js';

const MAKEFILE = `REMOTE = ${process.execPath} ${REMOTE_EXEC} --config remote.json
PARTS = 1 2 3 4 5 6

all: $(PARTS:%=out/%.txt) out/tool.sh

out/%.txt: src/words.txt src/upper.sh
\t$(REMOTE) --in $^ --out $@ -- 'mkdir -p out && sh src/upper.sh src/words.txt $* > $@'

out/tool.sh: src/upper.sh
\t$(REMOTE) --in $^ --out $@ -- 'mkdir -p out && cp src/upper.sh $@ && chmod +x $@'
`;

const PROJECT = {
  Makefile: MAKEFILE,
  'src/words.txt': 'alpha\nbeta\ngamma\ndelta\nepsilon\nzeta\n',
  'src/upper.sh': 'head -n "$2" "$1" | tr a-z A-Z\n',
};

const REMOTE = { SCONS_REMOTE_MODE: undefined };

describe('remote-exec from a Makefile on a Remote Execution API engine', () => {
  let server: ReapiServer;
  before(async () => {
    server = await startReapiServer({});
  });
  after(() => server.close());

  it('builds with make -j4 as a local build does, then again from the action cache', async () => {
    const dir = makeProject(PROJECT);
    const local = tempDir();
    cpSync(dir, local, { recursive: true });
    const remoteJson = { remoteExecution: { endpoint: server.endpoint, timeoutSeconds: 60 } };
    writeFileSync(join(dir, 'remote.json'), JSON.stringify(remoteJson));
    const localBuild = await runAsync('make', ['-j4'], local, LOCAL);
    assert.equal(localBuild.status, 0, localBuild.stderr);

    const first = await runAsync('make', ['-j4'], dir, REMOTE);
    assert.equal(first.status, 0, first.stdout + first.stderr);
    assert.deepEqual(describeTree(join(dir, 'out')), describeTree(join(local, 'out')));
    assert.equal(server.stats.executions, 7);

    const { executions, blobsUploaded } = server.stats;
    const calls = server.calls.length;
    rmSync(join(dir, 'out'), { recursive: true });
    const second = await runAsync('make', ['-j4'], dir, REMOTE);
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.deepEqual(describeTree(join(dir, 'out')), describeTree(join(local, 'out')));
    assert.deepEqual(
      [server.stats.executions - executions, server.stats.blobsUploaded - blobsUploaded],
      [0, 0],
      'all cache hits',
    );
    assert.ok(!server.calls.slice(calls).includes('Execute'));
  });

  it('names remote.json and the option at fault in one line', async () => {
    const dir = makeProject({ 'remote.json': '{"remoteExecution": {"endpoint": "http://x:1"}}' });
    const step = [REMOTE_EXEC, '--config', 'remote.json', '--out', 'o', '--', 'touch o'];
    const ran = await runAsync(process.execPath, step, dir, REMOTE);
    assert.notEqual(ran.status, 0);
    assert.match(ran.stderr, /remote\.json: remoteExecution endpoint must look like grpc:\/\//);
    assert.equal(ran.stderr.trim().split('\n').length, 1, ran.stderr);
  });

  it('refuses instance commands with one line', async () => {
    const remoteJson = JSON.stringify({ remoteExecution: { endpoint: server.endpoint } });
    const dir = makeProject({ 'remote.json': remoteJson });
    const shim = [REMOTE_EXEC, '--config', 'remote.json'];
    const down = await runAsync(process.execPath, [...shim, 'down'], dir, REMOTE);
    assert.notEqual(down.status, 0);
    assert.match(
      down.stderr,
      /remote\.json: names a remote execution engine, which has no instance/,
    );
  });
});
