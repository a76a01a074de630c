import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { digestOfBuffer } from '../../src/cas/digest.js';
import { makeProject } from '../helpers/cli.js';
import { configProjectsOnEngine } from '../helpers/engine-project.js';
import { describeTree, runLocally, runStep } from './step.js';

describe('REAPI results', () => {
  const { server } = configProjectsOnEngine({ instanceName: 'main/ci' });
  const { server: oldServer } = configProjectsOnEngine({ apiMinor: 0 });
  const engine = () => ({ endpoint: server().endpoint, instanceName: 'main/ci' });

  it('returns a failing exit code unchanged, prints its output, keeps the previous target', async () => {
    const baseDir = makeProject({ 'out.txt': 'previous\n' });
    const step = {
      baseDir,
      command: 'echo new > out.txt; echo oops >&2; exit 3',
      outputs: ['out.txt'],
    };
    const ran = await runStep(engine(), step);
    assert.deepEqual([ran.exitCode, ran.stderr], [3, 'oops\n']);
    assert.equal(readFileSync(join(baseDir, 'out.txt'), 'utf8'), 'previous\n');
    const again = await runStep(engine(), step);
    assert.equal(again.cacheHit, false, 'a failure is never served from the cache');
  });

  it('names a declared output the command did not make', async () => {
    const step = {
      baseDir: makeProject({}),
      command: 'touch made.txt',
      outputs: ['made.txt', 'nope.txt'],
    };
    await assert.rejects(runStep(engine(), step), {
      name: 'UserError',
      message: "the command succeeded but did not produce declared output 'nope.txt'",
    });
    assert.ok(!existsSync(join(step.baseDir, 'made.txt')), 'nothing placed when one is missing');
  });

  it('refuses an output link that leads out of the project, placing nothing', async () => {
    const baseDir = makeProject({});
    const step = { baseDir, command: 'mkdir d && ln -s ../../etc d/escape', outputs: ['d'] };
    await assert.rejects(runStep(engine(), step), {
      name: 'UserError',
      message: `remote execution: output from ${server().endpoint} refused 'd/escape': a symbolic link to '../../etc', outside the project`,
    });
    assert.deepEqual(readdirSync(baseDir), []);
  });

  it('runs the command in the step folder, paths relative to the project, spelt with ./', async () => {
    const baseDir = makeProject({ 'sub/in.txt': 'in sub\n' });
    const step = {
      baseDir,
      workDir: 'sub',
      command: 'cp in.txt ../top.txt && pwd > /dev/null',
      inputs: ['./sub/in.txt'],
      outputs: ['./top.txt'],
    };
    assert.equal((await runStep(engine(), step)).exitCode, 0);
    assert.equal(readFileSync(join(baseDir, 'top.txt'), 'utf8'), 'in sub\n');
  });

  it('runs a cached action again when the CAS has evicted its outputs', async () => {
    const baseDir = makeProject({});
    const step = { baseDir, command: 'echo evicted > e.txt', outputs: ['e.txt'] };
    await runStep(engine(), step);
    const content = Buffer.from('evicted\n');
    server().store.forget(digestOfBuffer(content));
    const executions = server().stats.executions;
    const again = await runStep(engine(), step);
    assert.equal(again.cacheHit, false);
    assert.equal(server().stats.executions - executions, 1);
    assert.equal(readFileSync(join(baseDir, 'e.txt'), 'utf8'), 'evicted\n');
  });

  it('stops an action at its timeout with one line', async () => {
    const step = { baseDir: makeProject({}), command: 'sleep 30', timeoutSeconds: 1 };
    await assert.rejects(runStep(engine(), step), {
      name: 'UserError',
      message: `remote execution: the action timed out after 1 s on ${server().endpoint}`,
    });
  });

  it('asks an engine older than REAPI 2.1 for output files and folders apart', async () => {
    const command = 'mkdir -p gen && echo a > gen/a.txt && echo b > b.txt';
    const baseDir = makeProject({});
    mkdirSync(join(baseDir, 'gen')); // a folder output is known as one by being one here already
    writeFileSync(join(baseDir, 'gen', 'stale.txt'), 'from an earlier build\n');
    const local = runLocally(makeProject({}), command);
    const ran = await runStep(
      { endpoint: oldServer().endpoint },
      { baseDir, command, outputs: ['gen', 'b.txt'] },
    );
    assert.equal(ran.exitCode, 0);
    assert.deepEqual(describeTree(baseDir), describeTree(local));
  });
});
