import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { makeProject, tempDir } from '../helpers/cli.js';
import { clearFaults, configProjectsOnEngine } from '../helpers/engine-project.js';
import { runStep } from './step.js';

let steps = 0;

/** A step no earlier test ran (so never a cache hit): copies its input to its output. */
function freshStep() {
  const n = ++steps;
  const baseDir = makeProject({ 'in.txt': `input ${n}\n` });
  return {
    baseDir,
    command: `cat in.txt > out.txt && echo step ${n}`,
    inputs: ['in.txt'],
    outputs: ['out.txt'],
  };
}

function built(step: { baseDir: string }): string {
  return readFileSync(join(step.baseDir, 'out.txt'), 'utf8');
}

describe('REAPI faults', () => {
  const { server } = configProjectsOnEngine();
  beforeEach(() => clearFaults(server()));

  it('follows the action with WaitExecution when the Execute stream drops, running it once', async () => {
    server().faults.dropStreams = 2;
    const executions = server().stats.executions;
    const step = freshStep();
    const ran = await runStep({ endpoint: server().endpoint }, step);
    assert.equal(ran.exitCode, 0);
    assert.equal(built(step), readFileSync(join(step.baseDir, 'in.txt'), 'utf8'));
    assert.deepEqual(
      server().calls.filter((call) => call === 'Execute' || call === 'WaitExecution'),
      ['Execute', 'WaitExecution', 'WaitExecution'],
    );
    assert.equal(server().stats.executions - executions, 1);
  });

  it('uploads the inputs again and retries once when the engine lost them', async () => {
    server().faults.loseInputRoot = 1;
    const step = freshStep();
    const ran = await runStep({ endpoint: server().endpoint }, step);
    assert.equal(ran.exitCode, 0);
    assert.equal(built(step), readFileSync(join(step.baseDir, 'in.txt'), 'utf8'));
    assert.equal(server().calls.filter((call) => call === 'Execute').length, 2);
  });

  it('retries a busy engine (RESOURCE_EXHAUSTED) with backoff', async () => {
    server().faults.exhausted = 3;
    server().faults.exhaustedMethod = 'FindMissingBlobs';
    const step = freshStep();
    const ran = await runStep({ endpoint: server().endpoint }, step);
    assert.equal(ran.exitCode, 0);
    assert.equal(server().calls.filter((call) => call === 'FindMissingBlobs').length, 4);
  });

  it('reports an engine that stays busy in one line', async () => {
    server().faults.exhausted = 1000;
    await assert.rejects(runStep({ endpoint: server().endpoint }, freshStep()), {
      name: 'UserError',
      message: `remote execution: engine ${server().endpoint} is out of resources (GetCapabilities, 5 attempts): too many requests (test fault)`,
    });
  });

  it('sends the credential header from the environment; without it the engine refuses', async () => {
    server().faults.requiredHeader = { name: 'x-api-key', value: 'secret-1' };
    await assert.rejects(runStep({ endpoint: server().endpoint }, freshStep()), {
      name: 'UserError',
      message:
        `remote execution: engine ${server().endpoint} refused the credentials (UNAUTHENTICATED: ` +
        'missing or wrong x-api-key); check the headersFromEnv and tls of the connection',
    });
    process.env['TEST_REAPI_KEY'] = 'secret-1';
    const options = {
      endpoint: server().endpoint,
      headersFromEnv: { 'x-api-key': 'TEST_REAPI_KEY' },
    };
    assert.equal((await runStep(options, freshStep())).exitCode, 0);
  });

  it('names the unset environment variable a credential header needs', async () => {
    const options = {
      endpoint: server().endpoint,
      headersFromEnv: { 'x-api-key': 'TEST_REAPI_UNSET' },
    };
    await assert.rejects(runStep(options, freshStep()), {
      name: 'UserError',
      message:
        'remote execution: environment variable TEST_REAPI_UNSET (for header x-api-key) is not set',
    });
  });

  it('reports an engine nobody listens for in one line', async () => {
    await assert.rejects(
      runStep({ endpoint: 'grpc://127.0.0.1:1' }, freshStep()),
      (error: Error) => {
        assert.equal(error.name, 'UserError');
        assert.match(
          error.message,
          /^remote execution: engine grpc:\/\/127\.0\.0\.1:1 unreachable \(GetCapabilities, 5 attempts\): .*ECONNREFUSED/,
        );
        assert.ok(!error.message.includes('\n'));
        return true;
      },
    );
  });

  it('gives up when the engine loses the inputs again after the retry', async () => {
    server().faults.loseInputRoot = 2;
    await assert.rejects(runStep({ endpoint: server().endpoint }, freshStep()), (error: Error) => {
      assert.equal(error.name, 'UserError');
      assert.match(
        error.message,
        /^remote execution: engine grpc:\/\/127\.0\.0\.1:\d+ keeps losing the action's inputs: missing Directory [0-9a-f]{64}\/\d+$/,
      );
      return true;
    });
  });

  it('places nothing an engine sends with other content than its digest', async () => {
    const step = freshStep();
    server().faults.corruptReads = 1;
    await assert.rejects(runStep({ endpoint: server().endpoint }, step), (error: Error) => {
      assert.equal(error.name, 'UserError');
      assert.match(
        error.message,
        /^remote execution: engine grpc:\/\/\S+ sent blob [0-9a-f]{64}\/\d+ with other content$/,
      );
      return true;
    });
    assert.ok(!existsSync(join(step.baseDir, 'out.txt')));
  });

  it('never uploads an input whose content no longer matches the hash cache, then forgets it', async () => {
    const step = freshStep();
    const hashCacheFile = join(tempDir(), 'hashes.json');
    const input = join(step.baseDir, 'in.txt');
    // A cache entry that matches the file's stat but not its content: a change stat did not see.
    const stats = statSync(input, { bigint: true });
    const fingerprint = [stats.dev, stats.ino, stats.size, stats.mtimeNs, stats.ctimeNs].join(':');
    const files = { [input]: [fingerprint, 'f'.repeat(64)] };
    writeFileSync(hashCacheFile, JSON.stringify({ format: 'scons-remote-hash-cache-1', files }));
    await assert.rejects(runStep({ endpoint: server().endpoint }, { ...step, hashCacheFile }), {
      name: 'UserError',
      message: `input '${input}' changed while the step was uploading it`,
    });
    const again = await runStep({ endpoint: server().endpoint }, { ...step, hashCacheFile });
    assert.equal(again.exitCode, 0, 'the wrong digest is forgotten, so the next run hashes anew');
    assert.equal(built(step), readFileSync(input, 'utf8'));
  });
});
