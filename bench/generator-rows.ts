import { shellJoin } from '../src/util/shell-quote.js';
import { REMOTE_GEN, tempDir, withEnv } from '../test/helpers/cli.js';
import type { Budget } from './budget.js';
import { EDIT_DESCRIPTION, writeDescription } from './fixtures.js';
import { mediansMs, type Benchmark } from './hyperfine.js';
import { NODE } from './step-rows.js';
import { runShell } from './run.js';
import type { Row } from './table.js';

// `remote-gen` as ninja runs it after the user edited the description (each run edits it first, so a
// cache of the last run's result cannot stand in for the work), on one step and on 10,000.

const MANY_STEPS = 10_000;

/** remote-gen in a folder of its own holding a description of `steps` steps. */
async function generator(steps: number, runs: number): Promise<Benchmark> {
  const dir = tempDir();
  writeDescription(dir, steps);
  const env = withEnv({ SCONS_REMOTE_MODE: undefined });
  const command = shellJoin([process.execPath, REMOTE_GEN]);
  // Once untimed: a description that does not generate fails here with remote-gen's own message.
  await runShell(command, { cwd: dir, env });
  const name = `remote-gen, ${steps} step${steps > 1 ? 's' : ''}`;
  return { name, command, prepare: EDIT_DESCRIPTION, runs, cwd: dir, env };
}

export async function generatorRows(budget: Budget): Promise<Row[]> {
  const one = await generator(1, budget.runs(5));
  const many = await generator(MANY_STEPS, budget.runs(3));
  const node = {
    name: 'node -e 0',
    command: NODE,
    runs: budget.runs(5),
    cwd: one.cwd,
    env: one.env,
  };
  const [oneMs, manyMs, nodeMs] = await mediansMs([one, many, node]);
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
