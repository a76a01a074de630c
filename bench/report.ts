import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { markdownTable, type Row } from './table.js';

// docs/PERFORMANCE.md, rewritten by every full run: the table, the machine, and how each row is measured.

const PERFORMANCE_MD = fileURLToPath(new URL('../../docs/PERFORMANCE.md', import.meta.url));

const METHOD = [
  'Everything runs against the emulated cloud on loopback (each instance a real OpenSSH `sshd` on its',
  'own 127.x address), so the ratios compare like with like; a real network adds its round trips to',
  'both sides. Commands are timed by hyperfine, each run a fresh process under `sh -c` as make and',
  'ninja run steps, one run per call, in turns with the baseline (round by round, so that a change',
  'in the load of a shared machine weighs on both); the table shows medians.',
  '',
  '- *warm remote step*: `remote-exec --config remote.json -- true` on an instance already up, after',
  '  warm-up runs; *new connection*: OpenSSH `ssh host true`.',
  '- *200 tiny remote steps*: a Makefile of 200 phony targets, each `remote-exec … -- true`, run by',
  '  `make -s -j16`; baseline: a ControlMaster started once, then',
  '  `seq 200 | xargs -P16 -I{} ssh -S ctl host true`.',
  '- *fresh inputs*: before every timed run, `bench/freshen.ts` overwrites the first 4 KB of each',
  '  input with random bytes, so no cache of content can skip it; `scp` and `rsync -a` (into an',
  '  empty folder) get the same fresh files.',
  '- *unchanged inputs*: the same step again, nothing changed; baseline: the warm step with no input.',
  '- *bytes*: a second project reaches its instance through a TCP relay on the instance’s address',
  '  (`bench/byte-relay.ts`, sshArgs.port) that counts the bytes sent to the instance; a step’s',
  '  content bytes are its count minus that of a step with no input.',
  '- *remote-gen*: run in a folder holding `build.remote.ts`, its description edited (a new comment',
  '  line) before each run, as when ninja regenerates after an edit.',
  '- *transport* rows (§3): the library alone in the bench’s process: a new connection, one `put` or',
  '  `get`, its close, against `scp` and `rsync -a` over a new connection of their own.',
];

export function writePerformanceDoc(
  rows: readonly Row[],
  machine: readonly [string, string][],
  notes: { started: Date; quick: boolean; loadBefore: string; loadAfter: string },
): string {
  const text = [
    '# Performance',
    '',
    `Written by \`npm run bench\`${notes.quick ? ' --quick' : ''} on ${notes.started.toISOString().slice(0, 16)} UTC;`,
    'run it again rather than editing this file. Targets are those of issue 9.',
    '',
    markdownTable(rows),
    '',
    '## Machine',
    '',
    ...machine.map(([name, value]) => `- ${name}: ${value}`),
    `- load average (1, 5, 15 min) at start: ${notes.loadBefore}; at end: ${notes.loadAfter}`,
    '  (a shared machine slows both sides of a ratio, not always equally)',
    '',
    '## How each row is measured',
    '',
    ...METHOD,
    '',
  ].join('\n');
  writeFileSync(PERFORMANCE_MD, text);
  return PERFORMANCE_MD;
}
