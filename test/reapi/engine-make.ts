import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReapiServer } from '../../src/emulator/reapi/reapi-server.js';
import type { EngineOptions } from '../../src/reapi/engine-options.js';
import { makeProject, REMOTE_EXEC, runAsync } from '../helpers/cli.js';

// A one-step Makefile project on an engine, and what a user sees of its build: make's exit status
// and the lines remote-exec printed (make's own `make: ***` lines set apart).

const MAKEFILE = `out.txt: in.txt
\t${process.execPath} ${REMOTE_EXEC} --config remote.json --in in.txt --out $@ -- "$$STEP"
`;

let projects = 0;

/** A project whose one step runs `command`; `in.txt` differs in each, so none is a cache hit. */
export function oneStepProject(options: EngineOptions): string {
  const dir = makeProject({ Makefile: MAKEFILE, 'in.txt': `input ${++projects}\n` });
  writeFileSync(join(dir, 'remote.json'), JSON.stringify({ remoteExecution: options }));
  return dir;
}

export interface MadeStep {
  status: number | null;
  /** What remote-exec wrote to stderr: make's own lines taken out. */
  lines: string[];
  stdout: string;
}

/** `make` in `dir` with the step's command and `env`, not in local mode. */
export async function make(dir: string, command: string, env: NodeJS.ProcessEnv = {}) {
  const ran = await runAsync('make', [], dir, {
    ...env,
    STEP: command,
    SCONS_REMOTE_MODE: undefined,
  });
  const lines = ran.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('make:'));
  return { status: ran.status, lines, stdout: ran.stdout };
}

/** Back to an engine without faults, and the call log emptied. */
export function clearFaults(server: ReapiServer): void {
  server.calls.length = 0;
  Object.assign(server.faults, { dropStreams: 0, loseInputRoot: 0, exhausted: 0, corruptReads: 0 });
  delete server.faults.exhaustedMethod;
  delete server.faults.requiredHeader;
}
