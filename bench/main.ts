// `npm run bench [-- --quick]`: every row of issue 9's table in one run, each beside its baseline
// (OpenSSH, scp, rsync, ControlMaster, `node -e 0`), against one emulated cloud on loopback; prints
// the table and writes it, with the machine's description, to docs/PERFORMANCE.md.
import { startCloud } from '../src/emulator/index.js';
import { budget } from './budget.js';
import { bytesRows } from './bytes-rows.js';
import { generatorRows } from './generator-rows.js';
import { inputRows } from './input-rows.js';
import { describeMachine, loadAverage } from './machine.js';
import { benchProject, relayedProject } from './project.js';
import { writePerformanceDoc } from './report.js';
import { stepRows } from './step-rows.js';
import { plainTable, type Row } from './table.js';
import { transferRows } from './transfer-rows.js';

const unknown = process.argv.slice(2).filter((arg) => arg !== '--quick');
if (unknown.length) {
  process.stderr.write(`bench: unknown argument '${unknown[0]}' (the only option is --quick)\n`);
  process.exit(2);
}
const plan = budget(process.argv.includes('--quick'));
const started = new Date();
const loadBefore = loadAverage();
const cloud = await startCloud({ bootDelayMs: 50 });
let rows: Row[];
let relayed: Awaited<ReturnType<typeof relayedProject>> | undefined;
try {
  const project = await benchProject(cloud);
  const steps = await stepRows(project, plan);
  const inputs = await inputRows(project, plan);
  relayed = await relayedProject(cloud);
  const bytes = await bytesRows(relayed, plan);
  const generator = await generatorRows(plan);
  const transfers = await transferRows(cloud, project, plan);
  rows = [...steps.overhead, ...inputs, ...bytes, ...generator, steps.local, ...transfers];
} finally {
  relayed?.relay.close();
  await cloud.stop();
}
const written = writePerformanceDoc(rows, describeMachine(), {
  started,
  quick: plan.quick,
  loadBefore,
  loadAfter: loadAverage(),
});
process.stdout.write(`\n${plainTable(rows)}\n\nwritten to ${written}\n`);
