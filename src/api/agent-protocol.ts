import type { JobRequest } from './job-request.js';

// The wire between a `remote-exec` step (the client) and the project's agent, over a unix socket.
// Every frame is a 4-byte big-endian length, one kind byte, then the payload: a JSON message, or
// raw bytes of the step's stdout or stderr (so output is never re-encoded).
// The client sends `hello` and waits for the agent's `hello` before anything else: an agent that
// answers another version, or does not answer, is replaced and never sees a job.

/** Raised whenever the messages or their meaning change; an agent of another version is replaced. */
export const PROTOCOL_VERSION = 4;

/**
 * What remote-exec exits with on its own errors (not the command's status): 255, as ssh does, so it
 * cannot be mistaken for the command's. Both clients, and the agent for the native one, use it.
 */
export const CLIENT_ERROR_STATUS = 255;

export const enum FrameKind {
  Message = 0,
  Stdout = 1,
  Stderr = 2,
}

export interface Hello {
  type: 'hello';
  version: number;
}

export interface AgentHello extends Hello {
  pid: number;
}

/** One step: what the command line asked, plus what the agent cannot know of the client. */
export interface JobMessage {
  type: 'job';
  /** Its config and state folder as absolute paths: the agent runs elsewhere. */
  request: JobRequest;
  cwd: string;
  heartbeatSeconds: number;
  /**
   * For a step on a remote execution engine: the client's values of the variables its connection
   * reads credentials from (headersFromEnv), since the agent's environment is another step's.
   */
  environment?: Record<string, string>;
}

/**
 * One step as the native client (shim/remote-exec.c) sends it: its command line, folder and
 * environment, for the agent to read as the node client would. The agent writes its trace.
 */
export interface StepMessage {
  type: 'step';
  /** remote-exec's arguments, without the program. */
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  pid: number;
  /** When the client started, in microseconds since the epoch. */
  started: number;
}

/** Ctrl-C, SIGTERM or SIGHUP reached the client: the step is cancelled. */
export interface CancelMessage {
  type: 'cancel';
  signal: NodeJS.Signals;
}

/** The step is about to start on the instance: from now on it is not retried elsewhere. */
export interface RunningMessage {
  type: 'running';
}

/** A phase of the job (connect, upload, run…), in microseconds since the epoch, for the trace. */
export interface PhaseSpan {
  phase: string;
  start: number;
  end: number;
  /** Content bytes the phase moved (an upload's blobs that the far side lacked). */
  bytes?: number;
}

export interface ExitMessage {
  type: 'exit';
  status: number;
  phases?: PhaseSpan[];
}

/** The step failed before the command's own status was known; `stack` only for internal errors. */
export interface ErrorMessage {
  type: 'error';
  message: string;
  stack?: string;
  phases?: PhaseSpan[];
}

/**
 * The agent did nothing with a StepMessage that is not its own (another state folder or
 * environment, local mode, arguments only the node client reads): the node client runs the step.
 */
export interface FallbackMessage {
  type: 'fallback';
  reason: string;
}

export type ClientMessage = Hello | JobMessage | StepMessage | CancelMessage;
// The native client reads `type` and numbers without a JSON parser: `type` comes first in each.
export type AgentMessage =
  AgentHello | RunningMessage | ExitMessage | ErrorMessage | FallbackMessage;

export type Frame<M> =
  | { kind: FrameKind.Message; message: M }
  | { kind: FrameKind.Stdout | FrameKind.Stderr; bytes: Buffer };

const HEADER = 5;

export function encodeFrame(kind: FrameKind, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER);
  header.writeUInt32BE(payload.length + 1, 0);
  header.writeUInt8(kind, 4);
  return Buffer.concat([header, payload]);
}

export function encodeMessage(message: ClientMessage | AgentMessage): Buffer {
  return encodeFrame(FrameKind.Message, Buffer.from(JSON.stringify(message)));
}

/** Cuts a byte stream into frames; a frame of an unknown kind or a message that is not JSON throws. */
export class FrameReader<M> {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame<M>[] {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    const frames: Frame<M>[] = [];
    while (this.#pending.length >= HEADER) {
      const length = this.#pending.readUInt32BE(0);
      if (this.#pending.length < 4 + length) break;
      const kind = this.#pending.readUInt8(4);
      const payload = this.#pending.subarray(HEADER, 4 + length);
      this.#pending = this.#pending.subarray(4 + length);
      if (kind === FrameKind.Message)
        frames.push({ kind, message: JSON.parse(payload.toString('utf8')) as M });
      else if (kind === FrameKind.Stdout || kind === FrameKind.Stderr)
        frames.push({ kind, bytes: Buffer.from(payload) });
      else throw new Error(`unknown frame kind ${kind}`);
    }
    return frames;
  }
}
