import type { Budget } from './budget.js';
import { writeStepsMakefile } from './fixtures.js';
import { mediansMs } from './hyperfine.js';
import type { BenchProject } from './project.js';
import type { Row } from './table.js';

// What one step costs beyond its command: a warm remote step, 200 of them under make, a local step.

export const NODE = `${process.execPath} -e 0`;
const PARALLEL_STEPS = 200;

export interface StepTimes {
  /** Issue 9's first three rows. */
  overhead: Row[];
  local: Row;
}

export async function stepRows(project: BenchProject, budget: Budget): Promise<StepTimes> {
  const at = { cwd: project.dir, env: project.env };
  const [nodeMs, warmStepMs, sshMs, localMs] = await mediansMs([
    { name: 'node -e 0', command: NODE, runs: budget.runs(20), ...at },
    {
      name: 'remote-exec -- true',
      command: `${project.remoteExec} -- true`,
      runs: budget.runs(10),
      warmup: budget.warmup(2),
      ...at,
    },
    {
      name: 'ssh host true',
      command: project.openssh.ssh('true'),
      runs: budget.runs(10),
      warmup: budget.warmup(1),
      ...at,
    },
    {
      name: 'SCONS_REMOTE_MODE=local remote-exec -- true',
      command: `SCONS_REMOTE_MODE=local ${project.remoteExec} -- true`,
      // As many runs as its baseline: a fifth of a node start-up apart, ten runs' medians swung
      // from 1.1x to 1.4x on this VM.
      runs: budget.runs(20),
      warmup: budget.warmup(1),
      ...at,
    },
  ]);
  const makefile = writeStepsMakefile(project.dir, project.remoteExec, PARALLEL_STEPS);
  const master = await project.openssh.controlMaster(project.dir);
  let makeMs: number, controlMasterMs: number;
  try {
    [makeMs, controlMasterMs] = await mediansMs([
      {
        name: `make -j16, ${PARALLEL_STEPS} steps`,
        command: `make -s -j16 -f ${makefile}`,
        runs: budget.runs(2),
        ...at,
      },
      {
        name: `xargs -P16 ssh host true (ControlMaster), ${PARALLEL_STEPS} times`,
        command: `seq ${PARALLEL_STEPS} | xargs -P16 -I{} ${master.commandOver('true')}`,
        runs: budget.runs(2),
        warmup: budget.warmup(1),
        ...at,
      },
    ]);
  } finally {
    await master.stop();
  }
  const overhead: Row[] = [
    {
      measure: 'warm remote step `remote-exec … -- true` / `node -e 0`',
      ours: warmStepMs,
      baseline: nodeMs,
      baselineName: '`node -e 0`',
      unit: 'ms',
      maxRatio: 1.5,
    },
    {
      measure: 'warm remote step / OpenSSH `ssh host true` (new connection)',
      ours: warmStepMs,
      baseline: sshMs,
      baselineName: '`ssh host true`',
      unit: 'ms',
      maxRatio: 0.6,
    },
    {
      measure: `${PARALLEL_STEPS} tiny remote steps, \`make -j16\` / ControlMaster, \`xargs -P16 ssh host true\``,
      ours: makeMs,
      baseline: controlMasterMs,
      baselineName: 'ControlMaster',
      unit: 'ms',
      maxRatio: 1.5,
    },
  ];
  const local: Row = {
    measure: 'local-mode step / `node -e 0`',
    ours: localMs,
    baseline: nodeMs,
    baselineName: '`node -e 0`',
    unit: 'ms',
    maxRatio: 1.2,
  };
  return { overhead, local };
}
