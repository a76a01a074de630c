import { REMOTE, REMOTE_EXEC, runAsync } from '../helpers/cli.js';

// A one-step Makefile project on an engine, and what a user sees of its build: make's exit status
// and the lines remote-exec printed (make's own `make: ***` lines set apart).

const MAKEFILE = `out.txt: in.txt
\t${process.execPath} ${REMOTE_EXEC} --config remote.json --in in.txt --out $@ -- "$$STEP"
`;

let projects = 0;

/** The files of a project whose one step runs `$STEP`; `in.txt` differs in each: no cache hit. */
export function oneStepFiles(): Record<string, string> {
  return { Makefile: MAKEFILE, 'in.txt': `input ${++projects}\n` };
}

export interface MadeStep {
  status: number | null;
  /** What remote-exec wrote to stderr: make's own lines taken out. */
  lines: string[];
  stdout: string;
}

/** `make` in `dir` with the step's command and `env`, not in local mode. */
export async function make(
  dir: string,
  command: string,
  env: NodeJS.ProcessEnv = {},
): Promise<MadeStep> {
  const ran = await runAsync('make', [], dir, { ...env, STEP: command, ...REMOTE });
  const lines = ran.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('make:'));
  return { status: ran.status, lines, stdout: ran.stdout };
}
