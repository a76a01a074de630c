import assert from 'node:assert/strict';
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REMOTE, REMOTE_EXEC, runAsync } from '../helpers/cli.js';
import { configProjectsOnEngine } from '../helpers/engine-project.js';

// gcc finds the header through an absolute -I ($PWD on the worker is the action's own folder),
// so its depfile names it by the worker's path; the header is an input of the step only, so
// nothing but the depfile tells ninja about it.
const BUILD_NINJA = `rule cc
  command = ${process.execPath} ${REMOTE_EXEC} --config remote.json --in include $in --out $out $
    --depfile $out.d -- gcc '-I"$$PWD/include"' -MMD -MF $out.d -c $in -o $out
  depfile = $out.d
  deps = gcc

build obj/a.o: cc src/a.c
`;

describe('a depfile written on a Remote Execution API engine', () => {
  const { server, project } = configProjectsOnEngine();

  it('comes back in local paths, and a header change rebuilds through ninja', async () => {
    const dir = realpathSync(
      project({
        'build.ninja': BUILD_NINJA,
        'include/a.h': '#define A 1\n',
        'src/a.c': '#include "a.h"\nint a = A;\n',
      }),
    );
    const first = await runAsync('ninja', [], dir, REMOTE);
    assert.equal(first.status, 0, first.stdout + first.stderr);
    const deps = await runAsync('ninja', ['-t', 'deps', 'obj/a.o'], dir, REMOTE);
    assert.match(deps.stdout, new RegExp(`^ +${join(dir, 'include/a.h')}$`, 'm'), deps.stdout);
    assert.doesNotMatch(deps.stdout, /\/tmp\/reapi|\/usr\/include/);

    const unchanged = await runAsync('ninja', [], dir, REMOTE);
    assert.match(unchanged.stdout, /no work to do/);
    writeFileSync(join(dir, 'include/a.h'), '#define A 2\n');
    const executions = server().stats.executions;
    const rebuilt = await runAsync('ninja', [], dir, REMOTE);
    assert.equal(rebuilt.status, 0, rebuilt.stdout + rebuilt.stderr);
    assert.match(rebuilt.stdout, /\[1\/1\]/);
    assert.equal(
      server().stats.executions - executions,
      1,
      'the changed header ran the step again',
    );
  });
});
