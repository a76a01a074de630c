import { rmSync } from 'node:fs';
import { relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { agentLockPath, agentLogPath, agentSocketPath } from '../../layout/local-state.js';
import { UserError } from '../../util/user-error.js';
import { withFileLock } from '../instance/file-lock.js';
import { handshake, type AgentLink } from './handshake.js';

/** How long a freshly started agent may take to listen (node's start-up on a loaded machine). */
const START_WAIT_MS = 30_000;

/** Unix socket paths are limited to about 100 bytes: the relative path is used when shorter. */
function reachable(path: string): string {
  const near = relative(process.cwd(), path);
  return near.length < path.length ? near : path;
}

/**
 * A link to the project's agent for this environment. A socket left by a dead agent, an agent of
 * another version or one that does not answer is replaced by a new agent, under a lock so that steps
 * starting together start one. A replaced agent finishes its steps and exits (it watches its socket).
 */
export async function agentLink(stateDir: string, key: string): Promise<AgentLink> {
  const socketPath = agentSocketPath(stateDir, key);
  const first = await handshake(reachable(socketPath));
  if (typeof first !== 'string') return first;
  return withFileLock(agentLockPath(stateDir, key), async () => {
    const again = await handshake(reachable(socketPath));
    if (typeof again !== 'string') return again;
    rmSync(socketPath, { force: true });
    // Imported here: node:child_process costs a step's start-up, and most steps find an agent.
    (await import('./spawn-agent.js')).spawnAgent(stateDir, key);
    const deadline = Date.now() + START_WAIT_MS;
    for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 200)) {
      await sleep(delay);
      const started = await handshake(reachable(socketPath));
      if (typeof started !== 'string') return started;
      if (started !== 'absent') break;
    }
    throw new UserError(`the agent did not start; its log is ${agentLogPath(stateDir, key)}`);
  });
}
