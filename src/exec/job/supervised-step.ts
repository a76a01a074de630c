import { PassThrough, Writable } from 'node:stream';
import type { Transport } from '../../transport/index.js';
import { UserError } from '../../util/user-error.js';
import { warn } from '../progress.js';
import { StatusTrailer } from './status-trailer.js';
import {
  attachStepCommand,
  FOLLOW_AFTER_MS,
  READY,
  statusMarker,
  STEP_GONE,
} from './step-supervisor.js';

const DEFAULT_HEARTBEAT_SECONDS = 60;
/** How often a step whose connection keeps dropping is attached again before giving up. */
const MAX_REATTACHES = 5;
const LOST = 'lost the connection to the instance during the step';
const GONE = 'the step is gone from the instance: it was stopped while this client was away';

/**
 * How long the instance keeps a step whose client sends no heartbeat. SCONS_REMOTE_HEARTBEAT_SECONDS exists for
 * tests, which cannot wait a minute to see a step stopped.
 */
export function heartbeatSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.SCONS_REMOTE_HEARTBEAT_SECONDS;
  if (value === undefined || value === '') return DEFAULT_HEARTBEAT_SECONDS;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 2) {
    throw new UserError(
      `SCONS_REMOTE_HEARTBEAT_SECONDS=${value} is not a whole number of seconds, 2 or more`,
    );
  }
  return seconds;
}

export interface StepOutput {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** How a step's start went: it ran (to this status), or it did not start and the instance said why. */
export type StepOutcome =
  { status: number; transport: Transport } | { refused: string; transport: Transport };

interface Attachment {
  control: PassThrough;
  /** The channel's exit status once it closes (255 when the connection went away). */
  closed: Promise<number>;
}

/** The transport's own words for a lost connection (which names the instance and the phase), else ours. */
function lossReason(error: unknown): string {
  return error instanceof Error ? error.message : LOST;
}

function forward(
  to: NodeJS.WritableStream,
  bytes: Buffer,
  done: (error?: Error | null) => void,
): void {
  if (bytes.length === 0) done();
  else to.write(bytes, (error) => done(error));
}

/**
 * The client's side of a supervised step: streams its output, sends heartbeats, and when the connection drops
 * attaches again (bounded) and resumes the output from the bytes it already passed on.
 */
export class SupervisedStep {
  #stdoutPassed = 0;
  #stderrPassed = 0;
  #current: Attachment | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #cancelled = false;
  #lostBecause = LOST;
  /** The start's stdout while READY has not come first. */
  #head: Buffer | undefined;
  #started = false;

  constructor(
    private readonly jobId: string,
    private readonly heartbeatSeconds: number,
    private readonly output: StepOutput,
    /** Shell text defining the instance's `keep` (store-scripts.ts keepFunction). */
    private readonly keep: string,
  ) {}

  /** The step started on the instance, whose supervisor now cleans its folder up. */
  get started(): boolean {
    return this.#started;
  }

  /** The step's stdout after the start's first line, which says whether the step starts. */
  #afterHead(chunk: Buffer): Buffer {
    if (this.#head === undefined) return chunk;
    const data = Buffer.concat([this.#head, chunk]);
    const end = data.indexOf(0x0a);
    if (end < 0 || data.subarray(0, end).toString() !== READY) {
      this.#head = data;
      return Buffer.alloc(0);
    }
    this.#head = undefined;
    this.#started = true;
    return data.subarray(end + 1);
  }

  /** Opens a channel with `command`: the step's status, or the channel's `exit` alone if it closed first. */
  #attach(
    transport: Transport,
    command: string,
    stdin?: Buffer,
  ): Promise<{ status?: number; exit: number }> {
    const control = new PassThrough();
    if (stdin) control.write(stdin);
    const trailer = new StatusTrailer(statusMarker(this.jobId));
    let statusSeen: (status: number) => void = () => {};
    const status = new Promise<number>((resolve) => (statusSeen = resolve));
    const stdout = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        const own = this.#afterHead(chunk);
        this.#stdoutPassed += own.length;
        forward(this.output.stdout, own, done);
      },
    });
    const stderr = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        const own = trailer.push(chunk);
        this.#stderrPassed += own.length;
        forward(this.output.stderr, own, done);
        if (trailer.status !== undefined) statusSeen(trailer.status);
      },
    });
    const closed = transport
      .exec(command, { stdin: control, stdout, stderr })
      .catch((error: unknown) => {
        this.#lostBecause = lossReason(error);
        return 255;
      });
    this.#current = { control, closed };
    return Promise.race([
      status.then((value) => ({ status: value, exit: 0 })),
      closed.then((exit) => ({ exit })),
    ]);
  }

  /**
   * Starts the step (`startCommand`, fed `stdin` first) and runs it to its end: its exit status and
   * the transport now in use (another after a drop); or, when the start printed something other
   * than READY first, what it printed.
   */
  async run(
    transport: Transport,
    startCommand: string,
    stdin: Buffer | undefined,
    reconnect: () => Promise<Transport>,
  ): Promise<StepOutcome> {
    const every = Math.max(1, Math.floor(this.heartbeatSeconds / 4)) * 1000;
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => this.#current?.control.write('beat\n'), every);
    this.#head = Buffer.alloc(0);
    const follow = setTimeout(() => this.#current?.control.write('follow\n'), FOLLOW_AFTER_MS);
    let outcome = await this.#attach(transport, startCommand, stdin);
    clearTimeout(follow);
    if (outcome.status !== undefined) this.#started = true;
    if (!this.#started) {
      const said = this.#head?.toString() ?? '';
      if (said !== '' || outcome.exit === 0) return { refused: said, transport };
      throw new UserError(this.#lostBecause);
    }
    for (let reattaches = 0; outcome.status === undefined; reattaches++) {
      if (outcome.exit === STEP_GONE) throw new UserError(GONE);
      if (this.#cancelled || reattaches === MAX_REATTACHES) throw new UserError(this.#lostBecause);
      warn(`${LOST}; attaching to it again`);
      try {
        transport = await reconnect();
      } catch (error) {
        throw new UserError(`${this.#lostBecause}; attaching again failed: ${lossReason(error)}`);
      }
      outcome = await this.#attach(
        transport,
        attachStepCommand(this.jobId, this.#stdoutPassed, this.#stderrPassed, this.keep),
      );
    }
    return { status: outcome.status, transport };
  }

  /** Asks the instance to stop the step's process group; the step then ends with the signal's status. */
  cancel(): void {
    this.#cancelled = true;
    this.#current?.control.write('cancel\n');
  }

  /**
   * Lets the instance clean the step up (after a cancel it does so by itself), first adding its
   * outputs to the store when `keep`, and waits for the channel to close.
   */
  async finish(keep = false): Promise<void> {
    clearInterval(this.#heartbeat);
    if (!this.#current) return;
    if (!this.#cancelled) this.#current.control.write(keep ? 'keep\ndone\n' : 'done\n');
    this.#current.control.end();
    await this.#current.closed;
  }
}
