import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { makeProject } from '../helpers/cli.js';
import { clearFaults, configProjectsOnEngine, engineConfig } from '../helpers/engine-project.js';
import { make, oneStepFiles } from './engine-make.js';

// Faults an engine does not recover from, seen through make: the build stops with one line from
// remote-exec naming the engine and what went wrong, and no output is placed.

const COPY = 'cat in.txt > out.txt';

describe('a make build on an engine that refuses or cannot run the step', () => {
  const { server, project } = configProjectsOnEngine();
  beforeEach(() => clearFaults(server()));

  async function fails(dir: string, command: string, env: NodeJS.ProcessEnv = {}) {
    const ran = await make(dir, command, env);
    assert.equal(ran.status, 2, 'make stops');
    assert.equal(ran.lines.length, 1, ran.lines.join('\n'));
    assert.ok(!existsSync(join(dir, 'out.txt')), 'no output placed');
    return ran.lines[0]!;
  }

  it('reports an engine that stays busy after its retries', async () => {
    server().faults.exhausted = 1000;
    const line = await fails(project(oneStepFiles()), COPY);
    assert.match(
      line,
      /^remote-exec: error: remote execution: engine grpc:\/\/127\.0\.0\.1:\d+ is out of resources/,
    );
    assert.match(line, /5 attempts/);
  });

  it('reports refused credentials, and builds once the right ones are given', async () => {
    server().faults.requiredHeader = { name: 'x-api-key', value: 'right' };
    const dir = project(oneStepFiles(), { headersFromEnv: { 'x-api-key': 'TEST_KEY' } });
    const line = await fails(dir, COPY, { TEST_KEY: 'wrong' });
    assert.match(line, /refused the credentials \(UNAUTHENTICATED: .*\); check the headersFromEnv/);
    const again = await make(dir, COPY, { TEST_KEY: 'right' });
    assert.equal(again.status, 0, again.lines.join('\n'));
    assert.ok(existsSync(join(dir, 'out.txt')));
  });

  it('reports an unreachable engine in one clean line', async () => {
    const remoteJson = engineConfig({ endpoint: 'grpc://127.0.0.1:1' });
    const line = await fails(makeProject({ ...oneStepFiles(), 'remote.json': remoteJson }), COPY);
    assert.match(
      line,
      /^remote-exec: error: remote execution: engine grpc:\/\/127\.0\.0\.1:1 unreachable/,
    );
    assert.match(
      line,
      /unreachable \(GetCapabilities, 5 attempts\): connect ECONNREFUSED [\d.:]+$/,
    );
  });

  it('reports an action over its timeout, placing nothing it wrote', async () => {
    const dir = project(oneStepFiles(), { timeoutSeconds: 1 });
    const line = await fails(dir, `${COPY} && exec sleep 60`);
    assert.match(
      line,
      /^remote-exec: error: remote execution: the action timed out after 1 s on grpc:\/\/127/,
    );
  });
});
