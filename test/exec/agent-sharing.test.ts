import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { agentKey } from '../../src/exec/agent/agent-key.js';
import { agentLogPath, STATE_DIR } from '../../src/layout/local-state.js';
import { STEP_CLIENT, runAsync, withEnv } from '../helpers/cli.js';
import { configProjectsOnCloud } from '../helpers/remote-project.js';

const STEPS = 16;

const MAKEFILE = `REMOTE = ${STEP_CLIENT} --config remote.json
all: $(foreach i,$(shell seq 1 ${STEPS}),out/$(i).txt)

out/%.txt: in.txt
\t$(REMOTE) --in in.txt --out $@ -- 'sleep 1; echo $* | cat in.txt - > $@'
`;

describe('sixteen steps of make -j16', () => {
  const { env, project } = configProjectsOnCloud();
  let dir: string;

  before(() => {
    dir = project({ 'in.txt': 'shared\n', Makefile: MAKEFILE });
  });

  it('share one agent and a few connections, and all produce their outputs', async () => {
    const build = await runAsync('make', [`-j${STEPS}`], dir, env());
    assert.equal(build.status, 0, build.stdout + build.stderr);
    for (let i = 1; i <= STEPS; i++)
      assert.equal(readFileSync(join(dir, `out/${i}.txt`), 'utf8'), `shared\n${i}\n`);
    const log = () =>
      readFileSync(agentLogPath(join(dir, STATE_DIR), agentKey(withEnv(env()))), 'utf8');
    const lines = (pattern: RegExp) =>
      log()
        .split('\n')
        .filter((line) => pattern.test(line)).length;
    assert.equal(lines(/ listening on /), 1, log());
    // Four jobs to a connection (sshd allows ten channels to one): sixteen steps need four.
    assert.ok(lines(/ opened connection /) <= STEPS / 4, log());
    writeFileSync(join(dir, 'in.txt'), 'changed\n');
    const again = await runAsync('make', [`-j${STEPS}`], dir, env());
    assert.equal(again.status, 0, again.stderr);
    assert.equal(readFileSync(join(dir, 'out/7.txt'), 'utf8'), 'changed\n7\n');
    assert.ok(
      lines(/ opened connection /) <= STEPS / 4,
      'the connections were kept for the rebuild',
    );
  });
});
