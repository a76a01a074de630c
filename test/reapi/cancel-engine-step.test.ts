import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REMOTE, REMOTE_EXEC, withEnv } from '../helpers/cli.js';
import { eventually } from '../helpers/cloud.js';
import { configProjectsOnEngine } from '../helpers/engine-project.js';

describe('Ctrl-C on a step running on an engine', () => {
  const { server, project } = configProjectsOnEngine();

  it('ends the step at once with the signal status, placing nothing', async () => {
    const dir = project({ 'in.txt': 'x\n' });
    const args = ['--config', 'remote.json', '--in', 'in.txt', '--out', 'out.txt', '--'];
    const step = spawn(
      process.execPath,
      [REMOTE_EXEC, ...args, 'cp in.txt out.txt && exec sleep 600'],
      { cwd: dir, env: withEnv(REMOTE), stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((resolve) => step.once('exit', resolve));
    await eventually(() => server().calls.includes('Execute'));
    step.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.equal(server().stats.executions, 0, 'the client did not wait for the action to end');
    assert.ok(!existsSync(join(dir, 'out.txt')));
  });
});
