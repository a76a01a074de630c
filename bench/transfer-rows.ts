import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Cloud } from '../src/emulator/index.js';
import { connect } from '../src/transport/index.js';
import type { Budget } from './budget.js';
import { BIG_FILE, SMALL_FOLDER } from './fixtures.js';
import { inProject, type BenchProject } from './project.js';
import type { Row } from './table.js';

// §3, the transport alone, both ways: a new connection, one put or get, its close, against scp and
// rsync -a (each also a new connection). Timed here, in the bench's process, not by hyperfine: the
// transport is a library, not a command.

async function medianOf(
  runs: number,
  task: () => Promise<unknown>,
  before?: () => Promise<unknown>,
) {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    await before?.();
    const start = performance.now();
    await task();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

export async function transferRows(
  cloud: Cloud,
  project: BenchProject,
  budget: Budget,
): Promise<Row[]> {
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
  const putBig = await medianOf(
    runs,
    viaTransport((t) => t.put(project.dir, [BIG_FILE], 'xfer')),
  );
  const scpUp = await medianOf(runs, shell(openssh.scpUp(BIG_FILE, 'scp-big.bin')));
  const getBig = await medianOf(
    runs,
    viaTransport((t) => t.get('xfer', [BIG_FILE], back)),
    clearBack,
  );
  const scpDown = await medianOf(runs, shell(openssh.scpDown('xfer/big.bin', 'back')), clearBack);
  const putSmall = await medianOf(
    runs,
    viaTransport((t) => t.put(project.dir, [SMALL_FOLDER], 'xfer')),
  );
  const rsyncUp = await medianOf(
    runs,
    shell(openssh.rsyncUp(`${SMALL_FOLDER}/`, 'rsync-small/')),
    shell(openssh.ssh('rm -rf rsync-small')),
  );
  const getSmall = await medianOf(
    runs,
    viaTransport((t) => t.get('xfer', [SMALL_FOLDER], back)),
    clearBack,
  );
  const rsyncDown = await medianOf(
    runs,
    shell(openssh.rsyncDown('xfer/small/', 'back/')),
    clearBack,
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
