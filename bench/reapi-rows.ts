import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startReapiServer, type ReapiServer } from '../src/emulator/reapi/reapi-server.js';
import { Engine } from '../src/reapi/engine.js';
import { runStepAction } from '../src/reapi/run-action.js';
import { shellJoin } from '../src/util/shell-quote.js';
import { makeProject, STEP_CLIENT, tempDir, withEnv } from '../test/helpers/cli.js';
import type { Budget } from './budget.js';
import { median, mediansMs } from './hyperfine.js';
import { NODE } from './step-rows.js';
import type { Row } from './table.js';

// Steps on the test Remote Execution API engine (real gRPC on loopback): a cached step through
// the agent, what an action the cache misses costs beyond the engine's own running of it, and
// 200 tiny actions under make.

const PARALLEL_STEPS = 200;
const OVERHEAD_BUDGET_MS = 30;

/** A Makefile of tiny steps whose command lines change with SALT, so none is a cache hit. */
function writeActionsMakefile(dir: string, remoteExec: string): string {
  const makefile = join(dir, 'actions.mk');
  const steps = Array.from({ length: PARALLEL_STEPS }, (_, i) => `action-${i + 1}`);
  const lines = [
    'SALT := $(shell od -An -N8 -tx8 /dev/urandom)',
    `STEPS := ${steps.join(' ')}`,
    'all: $(STEPS)',
    `$(STEPS): ; @${remoteExec} -- 'echo $@ $(SALT) > /dev/null'`,
    '.PHONY: all $(STEPS)',
    '',
  ];
  writeFileSync(makefile, lines.join('\n'));
  return makefile;
}

/** The client's time for one uncached tiny action, less the engine's time running it, in ms. */
async function uncachedOverheadMs(server: ReapiServer, runs: number): Promise<number> {
  const baseDir = makeProject({});
  const engine = new Engine({ endpoint: server.endpoint });
  const hashCacheFile = join(tempDir(), 'hashes.json');
  const discard = { write: () => true } as unknown as NodeJS.WritableStream;
  const overheads: number[] = [];
  try {
    for (let run = 0; run <= runs; run++) {
      writeFileSync(join(baseDir, 'in.txt'), randomBytes(64));
      const executionMs = server.stats.executionMs;
      const started = performance.now();
      await runStepAction(
        engine,
        {
          baseDir,
          workDir: '',
          command: 'cp in.txt out.txt',
          inputs: ['in.txt'],
          outputs: ['out.txt'],
          scratchDir: join(tempDir(), 'scratch'),
          hashCacheFile,
        },
        { stdout: discard, stderr: discard },
      );
      const spent = performance.now() - started - (server.stats.executionMs - executionMs);
      // The first opens the channel and asks the capabilities, as the first step of a build does.
      if (run > 0) overheads.push(spent);
    }
  } finally {
    engine.close();
  }
  return median(overheads);
}

export async function reapiRows(budget: Budget): Promise<Row[]> {
  const server = await startReapiServer();
  try {
    const dir = makeProject({ 'in.txt': 'input\n' });
    writeFileSync(
      join(dir, 'remote.json'),
      JSON.stringify({ remoteExecution: { endpoint: server.endpoint } }),
    );
    const env = withEnv({ SCONS_REMOTE_MODE: undefined });
    const remoteExec = shellJoin([STEP_CLIENT, '--config', 'remote.json']);
    const makefile = writeActionsMakefile(dir, remoteExec);
    const at = { cwd: dir, env };
    const [nodeMs, cachedMs, makeMs, xargsMs] = await mediansMs([
      { name: 'node -e 0', command: NODE, runs: budget.runs(20), ...at },
      {
        name: 'cached engine step',
        command: `${remoteExec} --in in.txt --out out.txt -- 'cp in.txt out.txt'`,
        runs: budget.runs(10),
        warmup: budget.warmup(2),
        ...at,
      },
      {
        name: `make -j16, ${PARALLEL_STEPS} actions`,
        command: `make -s -j16 -f ${makefile}`,
        runs: budget.runs(2),
        ...at,
      },
      {
        name: `xargs -P16 node -e 0, ${PARALLEL_STEPS} times`,
        command: `seq ${PARALLEL_STEPS} | xargs -P16 -I{} ${NODE}`,
        runs: budget.runs(2),
        ...at,
      },
    ]);
    const overheadMs = await uncachedOverheadMs(server, budget.runs(20));
    return [
      {
        measure: 'cached engine step through the agent / `node -e 0`',
        ours: cachedMs,
        baseline: nodeMs,
        baselineName: '`node -e 0`',
        unit: 'ms',
        maxRatio: 1.5,
      },
      {
        measure: "uncached tiny action, client's time beyond the engine's execution",
        ours: overheadMs,
        baseline: OVERHEAD_BUDGET_MS,
        baselineName: 'the 30 ms budget',
        unit: 'ms',
        maxRatio: 1,
        targetText: '≤ 30 ms',
      },
      {
        measure: `${PARALLEL_STEPS} tiny uncached actions, \`make -j16\` / \`xargs -P16 node -e 0\``,
        ours: makeMs,
        baseline: xargsMs,
        baselineName: '`xargs -P16 node -e 0`',
        unit: 'ms',
        maxRatio: 2,
        targetText: 'none in the issue; ≤ 2× shown',
      },
    ];
  } finally {
    await server.close();
  }
}
