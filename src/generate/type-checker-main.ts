import { existsSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { createServer, type Socket } from 'node:net';
import { isUserError } from '../util/user-error.js';
import { checkerKey, lineOf, onFirstLine, type CheckReply } from './type-checker-protocol.js';
import { typeCheckerSocketPath } from './type-checker-socket.js';

// remote-gen's type-checker daemon, one per project, started detached by the remote-gen that found
// none (type-checker-client.ts), in its folder, its output going to its log. argv: the state folder.
//
// Why a daemon (measured with --cpu-prof and process.cpuUsage on 2 cores, one-step description,
// `node -e 0` ~135 ms of CPU): loading the compiler costs ~550 ms (~400 ms with a V8 code cache),
// and checking even against TypeScript's lib alone (no @types/node, no connection types) ~550 ms
// more, so no cache of the compiler's code nor a smaller set of declarations brings a fresh process
// under 6x `node -e 0`. A process that keeps the compiler and the parsed, bound declarations checks
// an edited description in ~100 ms: it re-reads every file and re-parses only those whose text changed.

/** Like the exec agent: an edit-build loop's pauses keep the checker warm. */
const IDLE_MS = 10 * 60_000;
/** How often the daemon checks that its socket is still its own and its project still there. */
const SOCKET_CHECK_MS = 1000;

const stateDir = process.argv[2]!;
const socketPath = typeCheckerSocketPath(stateDir);
const key = checkerKey();
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
let checker: typeof import('./type-check.js') | undefined;
let warm: InstanceType<typeof import('./type-check.js').WarmCheck> | undefined;
let own: number | undefined;
let idle: NodeJS.Timeout | undefined;

function inode(): number | undefined {
  try {
    return statSync(socketPath).ino;
  } catch {
    return undefined;
  }
}

function leave(why: string): never {
  log(`exiting: ${why}`);
  if (own !== undefined && inode() === own) unlinkSync(socketPath);
  process.exit(0);
}

async function reply(request: unknown): Promise<CheckReply> {
  const { file, cwd, key: wanted } = (request ?? {}) as Record<string, unknown>;
  if (wanted !== key || typeof file !== 'string' || typeof cwd !== 'string')
    return { type: 'other-version' };
  try {
    // Loaded at the first request, not before listening: clients find the socket sooner.
    checker ??= await import('./type-check.js');
    warm ??= new checker.WarmCheck();
    return { type: 'checked', check: checker.checkDescription(file, cwd, warm) };
  } catch (error) {
    if (isUserError(error)) return { type: 'type-error', message: error.message };
    log(`cannot check ${file}: ${error instanceof Error ? error.stack : String(error)}`);
    return { type: 'failed', message: String(error) };
  }
}

function armIdle(): void {
  clearTimeout(idle);
  idle = setTimeout(() => leave('idle'), IDLE_MS);
}

function serve(socket: Socket): void {
  clearTimeout(idle);
  socket.on('error', () => undefined);
  onFirstLine(socket, (request) => {
    void reply(request).then((answer) => {
      // A daemon that could not check (no compiler, a bug) is not trusted with the next request.
      if (answer.type === 'failed') socket.end(lineOf(answer), () => leave('could not check'));
      else socket.end(lineOf(answer));
      armIdle();
    });
  });
}

// `kill` (or a shutdown) leaves no socket behind in the shared folder.
process.once('SIGTERM', () => leave('terminated'));
const server = createServer(serve);
server.on('error', (error) => {
  log(`cannot listen: ${error.message}`);
  process.exit(1);
});
// Under a name of its own first, then renamed over the shared one: a client never finds the socket
// half made, and of two daemons started at once the later rename wins while the other leaves.
const ownPath = typeCheckerSocketPath(stateDir, process.pid);
server.listen(ownPath, () => {
  renameSync(ownPath, socketPath);
  own = inode();
  log(`type-checker ${process.pid} listening in ${stateDir}`);
  armIdle();
  setInterval(() => {
    if (inode() !== own) leave('socket taken over or removed');
    if (!existsSync(dirname(stateDir))) leave('project gone');
  }, SOCKET_CHECK_MS).unref();
});
