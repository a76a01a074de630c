import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { STATE_DIR } from '../layout/local-state.js';
import { UserError } from '../util/user-error.js';
import type { FreshCheck } from './type-check.js';
import {
  checkerKey,
  lineOf,
  onFirstLine,
  type CheckReply,
  type CheckRequest,
} from './type-checker-protocol.js';
import { typeCheckerLogPath, typeCheckerSocketPath } from './type-checker-socket.js';

// remote-gen's side of the type-checker daemon (type-checker-main.ts says why there is one). Any
// trouble with the daemon (none can start, it dies, it answers nothing) costs at most the wait below,
// after which remote-gen checks by itself as it did without a daemon: it never fails or hangs for it.

/** How long a new daemon may take to listen (node's start-up on a loaded machine). */
const START_WAIT_MS = 30_000;
/** A cold check on a loaded machine takes seconds; one this long means the daemon is wedged. */
const DEFAULT_ANSWER_WAIT_SECONDS = 60;

const DAEMON_MAIN = new URL('./type-checker-main.js', import.meta.url).pathname;

/** SCONS_REMOTE_TYPE_CHECKER_WAIT_SECONDS: how long to wait for an answer; 0: use no daemon. */
function answerWaitMs(): number {
  const seconds = Number(process.env.SCONS_REMOTE_TYPE_CHECKER_WAIT_SECONDS);
  return (Number.isFinite(seconds) && seconds >= 0 ? seconds : DEFAULT_ANSWER_WAIT_SECONDS) * 1000;
}

type Attempt = CheckReply | 'absent' | 'closed' | 'timeout';

/** One request on the socket: its reply, or why there is none. */
function ask(socketPath: string, request: CheckRequest, waitMs: number): Promise<Attempt> {
  return new Promise((resolvePromise) => {
    const socket = connect(socketPath);
    let connected = false;
    const settle = (outcome: Attempt) => {
      clearTimeout(timer);
      socket.destroy();
      resolvePromise(outcome);
    };
    const timer = setTimeout(() => settle('timeout'), waitMs);
    socket.once('connect', () => {
      connected = true;
      socket.write(lineOf(request));
    });
    socket.on('error', () => settle(connected ? 'closed' : 'absent'));
    socket.on('close', () => settle('closed'));
    onFirstLine(socket, (reply) => settle((reply as CheckReply | undefined) ?? 'closed'));
  });
}

/** Starts a daemon detached, in its own session; resolves `exited` if it ends. */
function startDaemon(stateDir: string): { exited: boolean } {
  const state = { exited: false };
  const logPath = typeCheckerLogPath(stateDir);
  const log = openSync(logPath, 'a', 0o600);
  try {
    const child = spawn(process.execPath, [DAEMON_MAIN, stateDir], {
      cwd: dirname(logPath),
      detached: true,
      stdio: ['ignore', log, log],
    });
    child.once('exit', () => (state.exited = true));
    child.once('error', () => (state.exited = true));
    child.unref();
  } finally {
    closeSync(log);
  }
  return state;
}

/** The reply of a daemon of this tool, starting one when none answers (or one of another tool). */
async function askStarting(stateDir: string, request: CheckRequest, waitMs: number) {
  const socketPath = typeCheckerSocketPath(stateDir);
  const first = await ask(socketPath, request, waitMs);
  if (first !== 'absent' && (typeof first === 'string' || first.type !== 'other-version'))
    return first;
  const daemon = startDaemon(stateDir);
  const deadline = Date.now() + START_WAIT_MS;
  for (let delay = 10; Date.now() < deadline && !daemon.exited; delay = Math.min(delay * 2, 200)) {
    await sleep(delay);
    const again = await ask(socketPath, request, waitMs);
    if (again !== 'absent' && (typeof again === 'string' || again.type !== 'other-version'))
      return again;
  }
  return 'absent';
}

/**
 * The description checked by the project's type-checker daemon, or undefined when it could not be:
 * then the caller checks by itself. A type error is a UserError, as when checked here.
 */
export async function checkInDaemon(file: string): Promise<FreshCheck | undefined> {
  const waitMs = answerWaitMs();
  if (waitMs === 0) return undefined;
  const stateDir = resolve(STATE_DIR);
  const request = { key: checkerKey(), file: resolve(file), cwd: process.cwd() };
  let outcome: Attempt;
  try {
    outcome = await askStarting(stateDir, request, waitMs);
  } catch {
    return undefined; // no daemon can start here (a read-only folder): check here
  }
  // A wedged daemon is replaced, so that the next runs need not wait for it too.
  if (outcome === 'timeout') startDaemon(stateDir);
  if (typeof outcome === 'string') return undefined;
  if (outcome.type === 'type-error') throw new UserError(outcome.message);
  return outcome.type === 'checked' ? outcome.check : undefined;
}
