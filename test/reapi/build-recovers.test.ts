import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { clearFaults, configProjectsOnEngine } from '../helpers/engine-project.js';
import { make, oneStepFiles } from './engine-make.js';

// Faults an engine recovers from, seen through make: the build succeeds as if none happened.

const COPY = 'cat in.txt > out.txt && echo copied';

function built(dir: string): string {
  return readFileSync(join(dir, 'out.txt'), 'utf8');
}

describe('a make build on an engine that drops, forgets and is busy', () => {
  const { server, project } = configProjectsOnEngine();
  beforeEach(() => clearFaults(server()));

  it('resumes a dropped Execute stream with WaitExecution and builds', async () => {
    server().faults.dropStreams = 1;
    const dir = project(oneStepFiles());
    const executions = server().stats.executions;
    const ran = await make(dir, COPY);
    assert.equal(ran.status, 0, ran.lines.join('\n'));
    assert.equal(built(dir), readFileSync(join(dir, 'in.txt'), 'utf8'));
    assert.match(ran.stdout, /^copied$/m);
    assert.deepEqual(ran.lines, []);
    assert.ok(server().calls.includes('WaitExecution'));
    assert.equal(server().stats.executions - executions, 1, 'the action ran once');
  });

  it('uploads a blob the engine forgot once more and builds', async () => {
    server().faults.loseInputRoot = 1;
    const dir = project(oneStepFiles());
    const ran = await make(dir, COPY);
    assert.equal(ran.status, 0, ran.lines.join('\n'));
    assert.equal(built(dir), readFileSync(join(dir, 'in.txt'), 'utf8'));
    assert.deepEqual(ran.lines, []);
    assert.equal(server().calls.filter((call) => call === 'Execute').length, 2);
  });

  it('retries a busy engine (RESOURCE_EXHAUSTED) and builds', async () => {
    server().faults.exhausted = 2;
    const dir = project(oneStepFiles());
    const ran = await make(dir, COPY);
    assert.equal(ran.status, 0, ran.lines.join('\n'));
    assert.equal(built(dir), readFileSync(join(dir, 'in.txt'), 'utf8'));
    assert.deepEqual(ran.lines, []);
    assert.equal(server().faults.exhausted, 0, 'both refusals were met');
  });
});
