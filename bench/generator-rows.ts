import { shellJoin } from '../src/util/shell-quote.js';
import { REMOTE_GEN, tempDir, withEnv } from '../test/helpers/cli.js';
import type { Budget } from './budget.js';
import { EDIT_DESCRIPTION, writeDescription } from './fixtures.js';
import { medianMs } from './hyperfine.js';
import { runShell } from './run.js';
import type { Row } from './table.js';

// `remote-gen` as ninja runs it after the user edited the description (each run edits it first, so a
// cache of the last run's result cannot stand in for the work), on one step and on 10,000.

const MANY_STEPS = 10_000;

async function generateMs(steps: number, runs: number): Promise<number> {
  const dir = tempDir();
  writeDescription(dir, steps);
  const env = withEnv({ SCONS_REMOTE_MODE: undefined });
  const command = shellJoin([process.execPath, REMOTE_GEN]);
  // Once untimed: a description that does not generate fails here with remote-gen's own message.
  await runShell(command, { cwd: dir, env });
  return medianMs({
    name: `remote-gen, ${steps} step${steps > 1 ? 's' : ''}`,
    command,
    prepare: EDIT_DESCRIPTION,
    runs,
    cwd: dir,
    env,
  });
}

export async function generatorRows(budget: Budget, nodeMs: number): Promise<Row[]> {
  const oneMs = await generateMs(1, budget.runs(5));
  const manyMs = await generateMs(MANY_STEPS, budget.runs(3));
  return [
    {
      measure: '`remote-gen` on a one-step description / `node -e 0`',
      ours: oneMs,
      baseline: nodeMs,
      baselineName: '`node -e 0`',
      unit: 'ms',
      maxRatio: 6,
    },
    {
      measure: '`remote-gen` on 10,000 steps / on one step',
      ours: manyMs,
      baseline: oneMs,
      baselineName: 'one step',
      unit: 'ms',
      maxRatio: 2,
    },
  ];
}
