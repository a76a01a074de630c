import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { agentLogPath } from '../../layout/local-state.js';

const AGENT_MAIN = new URL('./main.js', import.meta.url).pathname;

/** Starts the agent detached, in its own session, its output going to its log. */
export function spawnAgent(stateDir: string, key: string): void {
  const logPath = agentLogPath(stateDir, key);
  mkdirSync(dirname(logPath), { recursive: true, mode: 0o700 });
  const log = openSync(logPath, 'a', 0o600);
  try {
    const child = spawn(process.execPath, [AGENT_MAIN, stateDir, key], {
      cwd: dirname(logPath),
      detached: true,
      stdio: ['ignore', log, log],
    });
    child.unref();
  } finally {
    closeSync(log);
  }
}
