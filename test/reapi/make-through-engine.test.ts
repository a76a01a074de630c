import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeProject, REMOTE, REMOTE_EXEC, runAsync } from '../helpers/cli.js';
import { configProjectsOnEngine } from '../helpers/engine-project.js';
import { builtLocally } from '../helpers/local-build.js';
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

describe('remote-exec from a Makefile on a Remote Execution API engine', () => {
  const { server, project } = configProjectsOnEngine();

  it('builds with make -j4 as a local build does, then again from the action cache', async () => {
    const dir = project(PROJECT, { timeoutSeconds: 60 });
    const local = await builtLocally(dir, 'make', ['-j4']);

    const first = await runAsync('make', ['-j4'], dir, REMOTE);
    assert.equal(first.status, 0, first.stdout + first.stderr);
    assert.deepEqual(describeTree(join(dir, 'out')), describeTree(join(local, 'out')));
    assert.equal(server().stats.executions, 7);

    const { executions, blobsUploaded } = server().stats;
    const calls = server().calls.length;
    rmSync(join(dir, 'out'), { recursive: true });
    const second = await runAsync('make', ['-j4'], dir, REMOTE);
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.deepEqual(describeTree(join(dir, 'out')), describeTree(join(local, 'out')));
    assert.deepEqual(
      [server().stats.executions - executions, server().stats.blobsUploaded - blobsUploaded],
      [0, 0],
      'all cache hits',
    );
    assert.ok(!server().calls.slice(calls).includes('Execute'));
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
    const dir = project({});
    const shim = [REMOTE_EXEC, '--config', 'remote.json'];
    const down = await runAsync(process.execPath, [...shim, 'down'], dir, REMOTE);
    assert.notEqual(down.status, 0);
    assert.match(
      down.stderr,
      /remote\.json: names a remote execution engine, which has no instance/,
    );
  });
});
