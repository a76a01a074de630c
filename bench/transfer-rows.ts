import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Cloud } from '../src/emulator/index.js';
import { connect } from '../src/transport/index.js';
import type { Budget } from './budget.js';
import { median } from './hyperfine.js';
import { BIG_FILE, SMALL_FOLDER, writeBigFile, writeSmallFiles } from './fixtures.js';
import { inProject, type BenchProject } from './project.js';
import type { Row } from './table.js';

// §3, the transport alone, both ways: a new connection, one put or get, its close, against scp and
// rsync -a (each also a new connection). Timed here, in the bench's process, not by hyperfine: the
// transport is a library, not a command.

interface Timed {
  run: () => Promise<unknown>;
  /** Untimed, before each run. */
  before?: () => Promise<unknown>;
}

async function timed({ run, before }: Timed): Promise<number> {
  await before?.();
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** Medians of ours and theirs (ms), their runs taken in turns as hyperfine.ts does. */
async function inTurns(runs: number, ours: Timed, theirs: Timed): Promise<[number, number]> {
  const times: [number[], number[]] = [[], []];
  for (let round = 0; round < runs; round++) {
    times[0].push(await timed(ours));
    times[1].push(await timed(theirs));
  }
  return [median(times[0]), median(times[1])];
}

export async function transferRows(
  cloud: Cloud,
  project: BenchProject,
  budget: Budget,
): Promise<Row[]> {
  // The inputs group writes these too; `--only transfers` runs without it.
  if (!existsSync(join(project.dir, BIG_FILE))) writeBigFile(project.dir);
  if (!existsSync(join(project.dir, SMALL_FOLDER))) writeSmallFiles(project.dir);
  const target = {
    host: project.host,
    sshArgs: { username: cloud.sshUser, privateKeyPath: cloud.keyPair.privateKeyPath },
  };
  const viaTransport =
    (use: (transport: Awaited<ReturnType<typeof connect>>) => Promise<unknown>) => async () => {
      const transport = await connect(target);
      await use(transport);
      await transport.close();
    };
  const shell = (command: string) => () => inProject(project, command);
  const back = join(project.dir, 'back');
  const clearBack = async () => rmSync(back, { recursive: true, force: true });
  const { openssh } = project;
  const runs = budget.runs(3);
  const row = (
    measure: string,
    ours: number,
    baseline: number,
    name: string,
    max: number,
  ): Row => ({
    measure,
    ours,
    baseline,
    baselineName: name,
    unit: 'ms',
    maxRatio: max,
  });
  const [putBig, scpUp] = await inTurns(
    runs,
    { run: viaTransport((t) => t.put(project.dir, [BIG_FILE], 'xfer')) },
    { run: shell(openssh.scpUp(BIG_FILE, 'scp-big.bin')) },
  );
  const [getBig, scpDown] = await inTurns(
    runs,
    { run: viaTransport((t) => t.get('xfer', [BIG_FILE], back)), before: clearBack },
    { run: shell(openssh.scpDown('xfer/big.bin', 'back')), before: clearBack },
  );
  const [putSmall, rsyncUp] = await inTurns(
    runs,
    { run: viaTransport((t) => t.put(project.dir, [SMALL_FOLDER], 'xfer')) },
    {
      run: shell(openssh.rsyncUp(`${SMALL_FOLDER}/`, 'rsync-small/')),
      before: shell(openssh.ssh('rm -rf rsync-small')),
    },
  );
  const [getSmall, rsyncDown] = await inTurns(
    runs,
    { run: viaTransport((t) => t.get('xfer', [SMALL_FOLDER], back)), before: clearBack },
    { run: shell(openssh.rsyncDown('xfer/small/', 'back/')), before: clearBack },
  );
  return [
    row('transport: upload 200 MB (connect, put, close) / `scp`', putBig, scpUp, '`scp`', 1),
    row('transport: download 200 MB (connect, get, close) / `scp`', getBig, scpDown, '`scp`', 1),
    row(
      'transport: upload 1000 × 4 KB / `rsync -a` (empty folder)',
      putSmall,
      rsyncUp,
      '`rsync -a`',
      0.5,
    ),
    row(
      'transport: download 1000 × 4 KB / `rsync -a` (empty folder)',
      getSmall,
      rsyncDown,
      '`rsync -a`',
      0.5,
    ),
  ];
}
