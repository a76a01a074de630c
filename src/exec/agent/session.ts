import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import {
  encodeFrame,
  encodeMessage,
  FrameKind,
  FrameReader,
  PROTOCOL_VERSION,
  type AgentMessage,
  type ClientMessage,
  type JobMessage,
  type PhaseSpan,
} from '../../api/agent-protocol.js';
import { isUserError } from '../../util/user-error.js';
import { Cancellation } from '../job/cancellation.js';
import { runRemoteJob } from '../job/remote-job.js';
import { withOwnPhases } from '../trace/step-trace.js';
import type { EngineChannels } from './engine-channels.js';
import { engineJob } from './engine-job.js';
import type { InstancePool } from './instance-pool.js';
import { withMessagesTo } from './message-route.js';

/** A stream of the step's output to its client; a client gone takes nothing and fails nothing. */
function toClient(socket: Socket, kind: FrameKind.Stdout | FrameKind.Stderr): Writable {
  return new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      if (socket.destroyed || !socket.writable) return done();
      socket.write(encodeFrame(kind, chunk), () => done());
    },
  });
}

function send(socket: Socket, message: AgentMessage): void {
  if (!socket.destroyed && socket.writable) socket.write(encodeMessage(message));
}

/** Runs the client's job; a client that goes away (killed) cancels it. */
async function serveJob(
  socket: Socket,
  message: JobMessage,
  pool: InstancePool,
  engines: EngineChannels,
  cancellation: Cancellation,
): Promise<void> {
  const stderr = toClient(socket, FrameKind.Stderr);
  const phases: PhaseSpan[] = [];
  const output = { stdout: toClient(socket, FrameKind.Stdout), stderr };
  const run = async () =>
    engineJob(message, engines, { cwd: message.cwd, output, cancellation })?.() ??
    runRemoteJob(message.request, {
      cwd: message.cwd,
      heartbeatSeconds: message.heartbeatSeconds,
      output,
      cancellation,
      reach: (job, progress) => pool.lend(job, progress),
      onRunning: () => send(socket, { type: 'running' }),
    });
  const reply = await withMessagesTo(stderr, () =>
    withOwnPhases(phases, run).then(
      (status): AgentMessage => ({ type: 'exit', status }),
      (error: unknown): AgentMessage =>
        isUserError(error)
          ? { type: 'error', message: error.message }
          : { type: 'error', message: String(error), stack: (error as Error).stack },
    ),
  );
  // Output frames were written before: the socket keeps their order.
  cancellation.stopListening();
  send(socket, { ...reply, phases } as AgentMessage);
  socket.end();
}

/** One client: hello, then one job and perhaps its cancel. Resolves when the client is served. */
export function serveClient(
  socket: Socket,
  pool: InstancePool,
  engines: EngineChannels,
): Promise<void> {
  const reader = new FrameReader<ClientMessage>();
  const cancellation = new Cancellation();
  let job: Promise<void> | undefined;
  return new Promise((resolve) => {
    socket.on('error', () => socket.destroy());
    socket.once('close', () => {
      // A client gone before its step ended was killed: the step is cancelled as on a hangup.
      cancellation.cancel('SIGHUP');
      void (job ?? Promise.resolve()).then(() => resolve());
    });
    socket.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = reader.push(chunk);
      } catch {
        return socket.destroy();
      }
      for (const frame of frames) {
        if (frame.kind !== FrameKind.Message) return socket.destroy();
        const message = frame.message;
        if (message.type === 'hello') {
          send(socket, { type: 'hello', version: PROTOCOL_VERSION, pid: process.pid });
          if (message.version !== PROTOCOL_VERSION) socket.end();
        } else if (message.type === 'job' && !job) {
          job = serveJob(socket, message, pool, engines, cancellation);
        } else if (message.type === 'cancel') cancellation.cancel(message.signal);
      }
    });
  });
}
