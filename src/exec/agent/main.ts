import { statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { basename } from 'node:path';
import { agentPidPath, agentSocketPath } from '../../layout/local-state.js';
import { EngineChannels } from './engine-channels.js';
import { InstancePool } from './instance-pool.js';
import { serveClient } from './session.js';

// The project's agent: started detached by the first step that finds none (see start-agent.ts), in
// the agent folder, its stdout and stderr going to its log. argv: the state folder, the agent's key.
// It holds the connections to the instances and runs each step's job for its client, and exits when
// idle, or once another agent has taken its socket over (after serving the steps it has).

/** Like ControlPersist: a build's pauses (an edit, a local step) keep the connections warm. */
const IDLE_MS = 10 * 60_000;
/**
 * Loading these takes seconds on a busy machine, during which no hello could be answered and steps
 * would take the agent for wedged: they are loaded before the agent listens, once.
 */
async function preload(): Promise<void> {
  await Promise.all([
    import('ssh2'),
    import('@aws-sdk/client-ec2'),
    import('@aws-sdk/core/client'),
  ]);
}

/** How often the agent checks that its socket is still its own. */
const SOCKET_CHECK_MS = 1000;

const [stateDir, key] = process.argv.slice(2) as [string, string];
const socketPath = agentSocketPath(stateDir, key);
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const pool = new InstancePool(log);
const engines = new EngineChannels(log);
const clients = new Set<Socket>();
let idle: NodeJS.Timeout | undefined;
let leaving = false;

function inode(): number | undefined {
  try {
    return statSync(socketPath).ino;
  } catch {
    return undefined;
  }
}

/**
 * Leaves without closing the server: closing it would unlink the socket path by name, which may be
 * another agent's by now. Removes the socket only while it is still this agent's.
 */
async function leave(why: string, ownInode: number | undefined): Promise<void> {
  leaving = true;
  log(`exiting: ${why}`);
  if (ownInode !== undefined && inode() === ownInode) unlinkSync(socketPath);
  engines.close();
  await pool.close();
  process.exit(0);
}

function armIdle(ownInode: number): void {
  clearTimeout(idle);
  if (clients.size === 0) idle = setTimeout(() => void leave('idle', ownInode), IDLE_MS);
}

const server = createServer((socket) => {
  if (leaving) return socket.destroy();
  clients.add(socket);
  clearTimeout(idle);
  void serveClient(socket, { pool, engines, identity: { stateDir, key } }).then(() => {
    clients.delete(socket);
    armIdle(own);
  });
});
let own = 0;
await preload();
// Relative: the path must fit a unix socket's ~100 bytes, and the agent runs in its folder.
server.listen(basename(socketPath), () => {
  own = inode()!;
  writeFileSync(agentPidPath(stateDir, key), `${process.pid}\n`);
  log(`agent ${process.pid} listening on ${socketPath}`);
  armIdle(own);
  setInterval(() => {
    if (inode() !== own && !leaving) {
      log('socket taken over or removed; serving the last steps');
      leaving = true;
    }
    if (leaving && clients.size === 0) void leave('replaced', undefined);
  }, SOCKET_CHECK_MS).unref();
});
server.on('error', (error) => {
  log(`cannot listen: ${error.message}`);
  process.exit(1);
});
