import { CLIENT_ERROR_STATUS } from '../api/agent-protocol.js';
import { runCli } from '../util/run-cli.js';
import { runExecCli } from './cli.js';
import { takeCommandRunner } from './job/local-command.js';

/** The whole `remote-exec` program: the entry of its one-file bundle (see write-step-bundle.ts). */
export function runRemoteExec(): Promise<void> {
  const runner = takeCommandRunner();
  return runCli('remote-exec', CLIENT_ERROR_STATUS, () =>
    runExecCli(process.argv.slice(2), runner),
  );
}
