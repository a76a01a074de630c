import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runAsync, STEP_CLIENT } from '../helpers/cli.js';
import { eventually, projectInstances } from '../helpers/cloud.js';
import { instanceRoot } from '../transport/instance-faults.js';
import { configProjectsOnCloud } from '../helpers/remote-project.js';

/** Notes its start and end on the instance, with a quiet wait between, as an apt-get would be. */
const SLOW_SETUP = 'echo start >> "$HOME/setup-runs"\nsleep 15\necho end >> "$HOME/setup-runs"\n';

function agentPidFile(dir: string): string | undefined {
  const agents = join(dir, '.scons-remote/agent');
  const pidFile = existsSync(agents) && readdirSync(agents).find((f) => f.endsWith('.pid'));
  return pidFile ? join(agents, pidFile) : undefined;
}

describe('a setup script cut short by a killed agent', () => {
  const cloud = configProjectsOnCloud();
  const stepArgs = ['--config', 'remote.json', '--in', 'in.txt', '--out', 'out.txt', '--'];
  /** The setup's notes, read from the instance's disk: `remote-exec ssh` would wait for the setup. */
  const setupRuns = (dir: string): string[] => {
    const [instance] = projectInstances(cloud.cloud(), dir);
    const notes =
      instance && join(instanceRoot(cloud.cloud(), instance.instanceId).home, 'setup-runs');
    return notes && existsSync(notes) ? readFileSync(notes, 'utf8').trim().split('\n') : [];
  };

  it('is stopped on the instance before the next agent runs it again: never two at once', async () => {
    const dir = cloud.project({ 'in.txt': 'payload\n' }, { setup: SLOW_SETUP });
    const args = [...stepArgs, 'cp in.txt out.txt'];
    const first = runAsync(STEP_CLIENT, args, dir, cloud.env());
    await eventually(() => agentPidFile(dir) !== undefined);
    // The setup is running once it has noted its start; then its agent dies without a word.
    await eventually(() => setupRuns(dir).includes('start'));
    process.kill(Number(readFileSync(agentPidFile(dir)!, 'utf8')), 'SIGKILL');
    // The step had not started: its client starts another agent, which runs the setup again.
    const step = await first;
    assert.equal(step.status, 0, step.stderr);
    assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'payload\n');
    // The first run started earlier, so had it gone on, its end would be noted before the second's.
    assert.deepEqual(setupRuns(dir), ['start', 'start', 'end'], 'the first run was stopped');
  });
});
