import { createHash } from 'node:crypto';
import type { Connection } from '../../api/connection.js';
import { requirementsOf, satisfies, versionOf, type Requirement } from '../../api/requirements.js';
import { INSTANCE_PATHS } from '../../layout/instance-home.js';
import type { Transport } from '../../transport/index.js';
import { shellQuote } from '../../util/shell-quote.js';
import { UserError } from '../../util/user-error.js';
import { messageStream, printProgress } from '../progress.js';
import { execOutput } from './exec-output.js';

// Prepares an instance for a connection's options.setup and checks its options.requires. Callers hold
// the instance's lock, so one process does this while concurrent steps wait for it.

/** How long `cmd --version` may take before it counts as printing no version. */
const VERSION_SECONDS = 10;

const elapsed = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/**
 * The script is kept on the instance (to look at with `remote-exec ssh`); its hash is recorded only once it
 * succeeded, and removed first, so a failed or interrupted run is never taken for a done one.
 * A run whose agent died goes on by itself (sshd sends no hangup without a terminal): it runs in a
 * process group of its own, recorded in setup.pid, which the next run stops first, so two setups
 * (two package managers) never run at once.
 */
function setupCommand(setup: string, hash: string): string {
  return [
    INSTANCE_PATHS,
    'mkdir -p "$base" && rm -f "$setup_hash"',
    'if read -r earlier < "$setup_pid" 2>/dev/null && kill -0 "-$earlier" 2>/dev/null; then',
    '  kill -TERM "-$earlier"; tries=0',
    '  while kill -0 "-$earlier" 2>/dev/null && [ $tries -lt 50 ]; do',
    '    sleep 0.1; tries=$((tries + 1))',
    '  done',
    '  kill -KILL "-$earlier" 2>/dev/null',
    'fi',
    `printf '%s' ${shellQuote(setup)} > "$setup_script"`,
    `cd && setsid -w sh -c 'echo $$ > "$1" && exec sh -e "$2"' setup "$setup_pid" "$setup_script" </dev/null 2>&1`,
    'status=$?',
    'rm -f "$setup_pid"',
    `[ $status -eq 0 ] && printf '%s\n' ${hash} > "$setup_hash"`,
    'exit $status',
  ].join('\n');
}

/** Runs the setup script unless the instance records this very script as done; its output is shown live. */
async function runSetup(transport: Transport, setup: string, instanceId: string): Promise<void> {
  const hash = createHash('sha256').update(setup).digest('hex');
  const done = await execOutput(transport, `${INSTANCE_PATHS}; cat "$setup_hash" 2>/dev/null`);
  if (done.trim() === hash) return;
  // Announced whatever the verbosity, as a launch is: it takes time, and its output follows.
  printProgress(`running the setup script on ${instanceId}`);
  const started = Date.now();
  const io = { stdout: messageStream(), stderr: messageStream() };
  const status = await transport.exec(setupCommand(setup, hash), io);
  if (status !== 0)
    throw new UserError(
      `the setup script failed on ${instanceId} (exit ${status}); see its output above`,
    );
  printProgress(`setup done on ${instanceId} in ${elapsed(started)}`);
}

function probe({ cmd, version }: Requirement): string {
  const quoted = shellQuote(cmd);
  const found = version
    ? `printf 'found %s\\n' "$(timeout ${VERSION_SECONDS} ${quoted} --version </dev/null 2>&1 | head -n 1)"`
    : 'echo found';
  return `if command -v ${quoted} >/dev/null 2>&1; then ${found}; else echo missing; fi`;
}

/** What is wrong with one requirement, given the line its probe printed; undefined when it is met. */
function shortfall(requirement: Requirement, line: string | undefined): string | undefined {
  const { cmd, version } = requirement;
  if (line === 'missing' || line === undefined) return `${cmd} (not found)`;
  if (!version) return undefined;
  const printed = line.replace(/^found ?/, '');
  const found = versionOf(printed);
  if (!found) return `${cmd} ${version} (no version in ${JSON.stringify(printed)})`;
  return satisfies(found, version) ? undefined : `${cmd} ${version} (found ${found.join('.')})`;
}

/** One probe for all requirements; every one that is not met is listed in one error. */
async function checkRequirements(
  transport: Transport,
  requirements: readonly Requirement[],
  instanceId: string,
): Promise<void> {
  const lines = (await execOutput(transport, requirements.map(probe).join('\n'))).split('\n');
  const missing = requirements
    .map((requirement, i) => shortfall(requirement, lines[i]))
    .filter((problem): problem is string => problem !== undefined);
  if (missing.length > 0)
    throw new UserError(
      `${instanceId} lacks what options.requires asks for: ${missing.join(', ')}`,
    );
}

/** Runs options.setup (when changed), then checks options.requires: setup may install what is required. */
export async function prepareEnvironment(
  transport: Transport,
  options: Connection['options'],
  instanceId: string,
): Promise<void> {
  if (options.setup !== undefined) await runSetup(transport, options.setup, instanceId);
  const requirements = requirementsOf(options.requires);
  if (requirements.length > 0) await checkRequirements(transport, requirements, instanceId);
}
