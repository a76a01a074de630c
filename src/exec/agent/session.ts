import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import {
  CLIENT_ERROR_STATUS,
  encodeFrame,
  encodeMessage,
  FrameKind,
  FrameReader,
  PROTOCOL_VERSION,
  type AgentMessage,
  type ClientMessage,
  type JobMessage,
  type PhaseSpan,
  type StepMessage,
} from '../../api/agent-protocol.js';
import { errorLine } from '../../util/run-cli.js';
import { isUserError } from '../../util/user-error.js';
import { Cancellation } from '../job/cancellation.js';
import { runRemoteJob } from '../job/remote-job.js';
import { traced, tracedStep, withOwnPhases } from '../trace/step-trace.js';
import type { EngineChannels } from './engine-channels.js';
import { engineJob } from './engine-job.js';
import type { InstancePool } from './instance-pool.js';
import { jobMessage } from './job-message.js';
import { withMessagesTo } from './message-route.js';
import { readStep, type AgentIdentity } from './read-step.js';

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

export interface AgentServices {
  pool: InstancePool;
  engines: EngineChannels;
  identity: AgentIdentity;
}

type ClientOutput = { stdout: Writable; stderr: Writable };

/** Runs a job on its engine or instance, its output going to the client. */
function runJob(
  socket: Socket,
  message: JobMessage,
  { pool, engines }: AgentServices,
  output: ClientOutput,
  cancellation: Cancellation,
): Promise<number> {
  return (
    engineJob(message, engines, { cwd: message.cwd, output, cancellation })?.() ??
    runRemoteJob(message.request, {
      cwd: message.cwd,
      heartbeatSeconds: message.heartbeatSeconds,
      output,
      cancellation,
      reach: (job, progress) => pool.lend(job, progress),
      onRunning: () => send(socket, { type: 'running' }),
    })
  );
}

function clientOutput(socket: Socket): ClientOutput {
  return { stdout: toClient(socket, FrameKind.Stdout), stderr: toClient(socket, FrameKind.Stderr) };
}

/** Runs the node client's job; a client that goes away (killed) cancels it. */
async function serveJob(
  socket: Socket,
  message: JobMessage,
  services: AgentServices,
  cancellation: Cancellation,
): Promise<void> {
  const output = clientOutput(socket);
  const phases: PhaseSpan[] = [];
  const reply = await withMessagesTo(output.stderr, () =>
    withOwnPhases(phases, () => runJob(socket, message, services, output, cancellation)).then(
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

/**
 * Runs the native client's step as the node client would have (checks, trace, error lines), or
 * sends it back to the node client when it is not this agent's.
 */
async function serveStep(
  socket: Socket,
  step: StepMessage,
  services: AgentServices,
  cancellation: Cancellation,
): Promise<void> {
  const request = readStep(step, services.identity);
  if ('fallback' in request) {
    send(socket, { type: 'fallback', reason: request.fallback });
    return void socket.end();
  }
  const output = clientOutput(socket);
  const spans: PhaseSpan[] = [];
  const { pid, cwd, started } = step;
  const traceStep = tracedStep(request, 'remote', services.identity.stateDir);
  const run = () => {
    const message = jobMessage(request, cwd, step.env);
    return runJob(socket, message, services, output, cancellation);
  };
  const status = await withMessagesTo(output.stderr, () =>
    traced(traceStep, () => withOwnPhases(spans, run), {
      pid,
      cwd,
      started,
      spans,
      client: 'native',
    }).catch((error: unknown) => {
      if (!socket.destroyed)
        socket.write(encodeFrame(FrameKind.Stderr, Buffer.from(errorLine('remote-exec', error))));
      return CLIENT_ERROR_STATUS;
    }),
  );
  cancellation.stopListening();
  send(socket, { type: 'exit', status });
  socket.end();
}

/** One client: hello, then one job and perhaps its cancel. Resolves when the client is served. */
export function serveClient(socket: Socket, services: AgentServices): Promise<void> {
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
          job = serveJob(socket, message, services, cancellation);
        } else if (message.type === 'step' && !job) {
          job = serveStep(socket, message, services, cancellation);
        } else if (message.type === 'cancel') cancellation.cancel(message.signal);
      }
    });
  });
}
