// `npm run bench [-- --quick] [--only GROUP,…]`: every row of issue 9's table in one run, each beside
// its baseline (OpenSSH, scp, rsync, ControlMaster, `node -e 0`), against one emulated cloud on
// loopback; prints the table and writes it, with the machine's description, to docs/PERFORMANCE.md.
// --only measures some groups and prints them without writing the document (a partial table there
// would read as the whole story).
import { startCloud } from '../src/emulator/index.js';
import { budget } from './budget.js';
import { bytesRows } from './bytes-rows.js';
import { generatorRows } from './generator-rows.js';
import { inputRows } from './input-rows.js';
import { describeMachine, loadAverage } from './machine.js';
import { benchProject, relayedProject } from './project.js';
import { writePerformanceDoc } from './report.js';
import { reapiRows } from './reapi-rows.js';
import { stepRows } from './step-rows.js';
import { plainTable, type Row } from './table.js';
import { transferRows } from './transfer-rows.js';

const GROUPS = ['steps', 'inputs', 'bytes', 'generator', 'transfers', 'reapi'] as const;
type Group = (typeof GROUPS)[number];

function parseArgs(args: string[]): { quick: boolean; only?: Set<Group> } {
  const quick = args.includes('--quick');
  const rest = args.filter((arg) => arg !== '--quick');
  if (rest.length === 0) return { quick };
  const groups = rest[0] === '--only' && rest.length === 2 ? rest[1].split(',') : undefined;
  const wrong = groups?.find((group) => !(GROUPS as readonly string[]).includes(group));
  if (!groups || wrong !== undefined) {
    const what = wrong !== undefined ? `unknown group '${wrong}'` : `unknown argument '${rest[0]}'`;
    process.stderr.write(`bench: ${what} (usage: --quick, --only ${GROUPS.join('|')}[,…])\n`);
    process.exit(2);
  }
  return { quick, only: new Set(groups as Group[]) };
}

const { quick, only } = parseArgs(process.argv.slice(2));
const wanted = (group: Group) => !only || only.has(group);
const plan = budget(quick);
const started = new Date();
const loadBefore = loadAverage();
const cloud = await startCloud({ bootDelayMs: 50 });
let rows: Row[];
let relayed: Awaited<ReturnType<typeof relayedProject>> | undefined;
try {
  const project = await benchProject(cloud);
  const steps = wanted('steps') ? await stepRows(project, plan) : undefined;
  const inputs = wanted('inputs') ? await inputRows(project, plan) : [];
  if (wanted('bytes')) relayed = await relayedProject(cloud);
  const bytes = relayed ? await bytesRows(relayed, plan) : [];
  const generator = wanted('generator') ? await generatorRows(plan) : [];
  const transfers = wanted('transfers') ? await transferRows(cloud, project, plan) : [];
  const reapi = wanted('reapi') ? await reapiRows(plan) : [];
  rows = [...(steps?.overhead ?? []), ...inputs, ...bytes, ...generator];
  rows.push(...(steps ? [steps.local] : []), ...transfers, ...reapi);
} finally {
  relayed?.relay.close();
  await cloud.stop();
}
process.stdout.write(`\n${plainTable(rows)}\n`);
if (!only) {
  const loadAfter = loadAverage();
  const written = writePerformanceDoc(rows, describeMachine(), {
    started,
    quick,
    loadBefore,
    loadAfter,
  });
  process.stdout.write(`\nwritten to ${written}\n`);
}
