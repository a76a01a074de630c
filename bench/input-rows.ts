import { shellJoin } from '../src/util/shell-quote.js';
import type { Budget } from './budget.js';
import { BIG_FILE, SMALL_FOLDER, writeBigFile, writeSmallFiles } from './fixtures.js';
import { mediansMs } from './hyperfine.js';
import type { BenchProject } from './project.js';
import type { Row } from './table.js';

// Steps with inputs, through the CLI: fresh ones (new content before every run) against scp and rsync,
// and unchanged ones against a step with none.

const FRESHEN = shellJoin([process.execPath, new URL('freshen.js', import.meta.url).pathname]);

export async function inputRows(project: BenchProject, budget: Budget): Promise<Row[]> {
  writeBigFile(project.dir);
  writeSmallFiles(project.dir);
  const at = { cwd: project.dir, env: project.env };
  const { openssh, remoteExec } = project;
  const freshBig = `${FRESHEN} ${BIG_FILE}`;
  const freshSmall = `${FRESHEN} ${SMALL_FOLDER}`;
  const [bigStepMs, scpMs] = await mediansMs([
    {
      name: 'remote-exec --in big.bin -- true (fresh 200 MB)',
      command: `${remoteExec} --in ${BIG_FILE} -- true`,
      prepare: freshBig,
      runs: budget.runs(3),
      ...at,
    },
    {
      name: 'scp big.bin (fresh 200 MB)',
      command: openssh.scpUp(BIG_FILE, 'scp-big.bin'),
      prepare: freshBig,
      runs: budget.runs(3),
      ...at,
    },
  ]);
  const [smallStepMs, rsyncMs] = await mediansMs([
    {
      name: 'remote-exec --in small/* -- true (1000 fresh 4 KB)',
      command: `${remoteExec} --in ${SMALL_FOLDER}/* -- true`,
      prepare: freshSmall,
      runs: budget.runs(5),
      ...at,
    },
    {
      name: 'rsync -a small/ (1000 fresh 4 KB, to an empty folder)',
      command: openssh.rsyncUp(`${SMALL_FOLDER}/`, 'rsync-small/'),
      prepare: `${freshSmall} && ${openssh.ssh('rm -rf rsync-small')}`,
      runs: budget.runs(5),
      ...at,
    },
  ]);
  const [unchangedMs, noInputMs] = await mediansMs([
    {
      name: 'remote-exec --in small/* -- true (1000 unchanged)',
      command: `${remoteExec} --in ${SMALL_FOLDER}/* -- true`,
      // Fifteen runs: the median of five moved between 1.6x and 2.3x from one run of the bench to
      // the next on this VM.
      runs: budget.runs(15),
      warmup: 1,
      ...at,
    },
    { name: 'remote-exec -- true', command: `${remoteExec} -- true`, runs: budget.runs(15), ...at },
  ]);
  return [
    {
      measure: 'step with one fresh 200 MB input / `scp` of it',
      ours: bigStepMs,
      baseline: scpMs,
      baselineName: '`scp`',
      unit: 'ms',
      maxRatio: 1,
    },
    {
      measure: 'step with 1000 fresh 4 KB inputs / `rsync -a` of them',
      ours: smallStepMs,
      baseline: rsyncMs,
      baselineName: '`rsync -a`',
      unit: 'ms',
      maxRatio: 0.5,
    },
    {
      measure: 'step with the same 1000 inputs unchanged / step with no input',
      ours: unchangedMs,
      baseline: noInputMs,
      baselineName: 'no input',
      unit: 'ms',
      maxRatio: 1.2,
    },
  ];
}
