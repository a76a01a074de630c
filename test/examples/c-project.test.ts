import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { LOCAL } from '../helpers/cli.js';
import {
  cloudEnv,
  copyOf,
  example,
  liveInstances,
  ninjaAsync,
  remoteExecAsync,
  remoteGenAsync,
  runInstancesCalls,
  testCloud,
} from '../helpers/cloud.js';

const TABLE =
  'door           1.89\nwindow         1.68\nwall          10.40\ntotal         13.97\n';
const DOUBLED =
  'door           3.78\nwindow         3.36\nwall          20.80\ntotal         27.94\n';

function program(dir: string): string {
  return spawnSync(join(dir, 'bin/shapes'), { encoding: 'utf8' }).stdout;
}

/** Edits the header only shapes.c includes, then builds: what ran, and ninja's reasons. */
async function afterHeaderEdit(dir: string, env: NodeJS.ProcessEnv) {
  const header = join(dir, 'include/units.h');
  writeFileSync(header, readFileSync(header, 'utf8').replace('AREA_SCALE 1.0', 'AREA_SCALE 2.0'));
  const build = await ninjaAsync(dir, env, ['-d', 'explain']);
  assert.equal(build.status, 0, build.stdout + build.stderr);
  return build;
}

function ranExactly(stdout: string, steps: string[]): void {
  const ran = stdout.match(/(REMOTE|LOCAL) \S+/g) ?? [];
  assert.deepEqual(ran.sort(), steps.sort(), stdout);
}

describe('examples/c-project: C objects compiled and linked remotely, headers tracked by depfiles', () => {
  let cloud: Cloud;
  let env: NodeJS.ProcessEnv;
  let dir: string;

  before(async () => {
    cloud = await testCloud();
    env = cloudEnv(cloud);
    dir = copyOf(example('c-project'));
  });
  after(async () => {
    assert.equal((await remoteExecAsync(dir, env, ['down'])).status, 0);
    assert.deepEqual(liveInstances(cloud), []);
    await cloud.stop();
  });

  it('builds remotely a program that runs here, and rebuilds only the object whose header changed', async () => {
    assert.equal((await remoteGenAsync(dir, env)).status, 0);
    const build = await ninjaAsync(dir, env);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    ranExactly(build.stdout, [
      'REMOTE obj/main.o',
      'REMOTE obj/shapes.o',
      'REMOTE obj/table.o',
      'REMOTE bin/shapes',
    ]);
    assert.equal(runInstancesCalls(cloud), 1);
    assert.equal(program(dir), TABLE);
    const deps = await ninjaAsync(dir, env, ['-t', 'deps', 'obj/shapes.o']);
    assert.match(deps.stdout, /\n {4}include\/units\.h\n/);
    assert.doesNotMatch(deps.stdout, /\.scons-remote/);
    assert.match((await ninjaAsync(dir, env)).stdout, /ninja: no work to do/);

    const rebuild = await afterHeaderEdit(dir, env);
    ranExactly(rebuild.stdout, ['REMOTE obj/shapes.o', 'REMOTE bin/shapes']);
    assert.match(rebuild.stderr, /ninja explain: .*obj\/shapes\.o.* include\/units\.h/);
    assert.equal(program(dir), DOUBLED);
  });

  it('gives editors a compile_commands.json that clang-check accepts', () => {
    const database = JSON.parse(readFileSync(join(dir, 'compile_commands.json'), 'utf8')) as {
      file: string;
      arguments: string[];
    }[];
    assert.deepEqual(
      database.map((entry) => entry.file),
      ['main', 'shapes', 'table'].map((name) => join(dir, `src/${name}.c`)),
    );
    assert.equal(database[0]!.arguments[0], 'gcc');
    // The headers are found only through the database's -I include.
    const check = spawnSync('clang-check', ['-p', '.', 'src/main.c', 'src/shapes.c'], {
      cwd: dir,
      encoding: 'utf8',
    });
    assert.equal(check.status, 0, check.stdout + check.stderr);
  });

  it('builds the same program in local mode, with the same header tracking', async () => {
    const local = copyOf(example('c-project'));
    const localEnv = { ...env, ...LOCAL };
    assert.equal((await remoteGenAsync(local, localEnv)).status, 0);
    const build = await ninjaAsync(local, localEnv);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    assert.equal(program(local), TABLE);
    const rebuild = await afterHeaderEdit(local, localEnv);
    ranExactly(rebuild.stdout, ['REMOTE obj/shapes.o', 'REMOTE bin/shapes']);
    assert.equal(program(local), DOUBLED);
  });
});
