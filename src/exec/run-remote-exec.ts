import { runCli } from '../util/run-cli.js';
import { runExecCli } from './cli.js';

/** The whole `remote-exec` program: the entry of its one-file bundle (see write-step-bundle.ts). */
export function runRemoteExec(): Promise<void> {
  // 255 is what ssh itself exits with on its own errors, so it cannot be mistaken for the command's
  // status.
  return runCli('remote-exec', 255, () => runExecCli(process.argv.slice(2)));
}
