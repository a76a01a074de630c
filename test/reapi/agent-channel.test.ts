import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REMOTE, REMOTE_EXEC, runAsync } from '../helpers/cli.js';
import { configProjectsOnEngine } from '../helpers/engine-project.js';
import { builtLocally } from '../helpers/local-build.js';
import { describeTree } from './step.js';

const STEPS = 12;

const MAKEFILE = `REMOTE = ${process.execPath} ${REMOTE_EXEC} --config remote.json
all: $(shell seq -f 'out/%g.txt' 1 ${STEPS})

out/%.txt: in.txt
\t$(REMOTE) --in in.txt --out $@ -- 'mkdir -p out && (cat in.txt; echo $*) > $@'
`;

describe('steps of a build on a Remote Execution API engine', () => {
  const { server, project } = configProjectsOnEngine();

  it('share one gRPC channel through the agent under make -j8, as a local build', async () => {
    const dir = project({ Makefile: MAKEFILE, 'in.txt': 'shared input\n' });
    const local = await builtLocally(dir, 'make', ['-j8']);

    const build = await runAsync('make', ['-j8'], dir, REMOTE);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    assert.deepEqual(describeTree(join(dir, 'out')), describeTree(join(local, 'out')));
    assert.equal(server().stats.executions, STEPS);
    assert.equal(server().peers.size, 1, `connections from ${[...server().peers].join(', ')}`);
  });
});
