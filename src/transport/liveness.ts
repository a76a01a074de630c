import type { Socket } from 'node:net';
import type { Client } from 'ssh2';
import { UserError } from '../util/user-error.js';

// A dead or frozen instance must fail the step within about a minute, saying which instance and what it was
// doing, and cleanup after that must neither block nor hide the reason. ssh2 reports a closed socket and
// unanswered keepalives; a channel making no progress (a frozen peer whose kernel still holds the socket open)
// is caught by progress watches.

export type Phase = 'upload' | 'download' | 'the command';

/** After how long without progress, and without an answer to keepalives, a connection counts as lost. */
export interface Limits {
  stallSeconds: number;
  keepaliveSeconds: number;
}

/** How long a close waits for the instance to acknowledge it before dropping the socket. */
const CLOSE_GRACE_MS = 2000;

export class Liveness {
  #why: string | undefined;
  readonly #onLost = new Set<(why: string) => void>();

  constructor(
    private readonly client: Client,
    /** The socket under the connection, ours to drop: ssh2 cannot destroy one it has already ended. */
    private readonly socket: Socket,
    private readonly host: string,
    private readonly limits: Limits,
  ) {
    client.on('error', (error: Error & { code?: string }) => {
      const keepalives = error.message === 'Keepalive timeout';
      this.#lose(
        keepalives
          ? `no answer to keepalives for ${limits.keepaliveSeconds} s`
          : (error.code ?? error.message),
      );
    });
    client.on('end', () => this.#lose('closed by the instance'));
    client.on('close', () => this.#lose('closed by the instance'));
  }

  /** Whether the connection is gone (lost or closed): nothing more can run on it. */
  get lost(): boolean {
    return this.#why !== undefined;
  }

  /** The connection is dead from now on (the first reason wins); whatever runs on it fails with that reason. */
  #lose(why: string): void {
    if (this.#why !== undefined) return;
    this.#why = why;
    for (const fail of this.#onLost) fail(why);
    this.socket.destroy();
  }

  /**
   * Runs `operation`, rejecting at once when the connection is already lost or as soon as it is. The signal
   * aborts when the operation is over either way, so it can drop what it holds (local processes, timers).
   */
  guard<T>(phase: Phase, operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.#why !== undefined) {
      return Promise.reject(
        new UserError(`ssh: connection to ${this.host} already lost (${this.#why})`),
      );
    }
    const controller = new AbortController();
    return new Promise<T>((resolve, reject) => {
      const fail = (why: string) => {
        controller.abort();
        reject(new UserError(`ssh: connection to ${this.host} lost during ${phase} (${why})`));
      };
      this.#onLost.add(fail);
      let running: Promise<T>;
      try {
        running = operation(controller.signal);
      } catch (error) {
        running = Promise.reject(error);
      }
      running.then(resolve, reject).finally(() => {
        this.#onLost.delete(fail);
        controller.abort();
      });
    });
  }

  /** Drops the connection when `stream` carries no data for stallSeconds, until `signal` aborts. */
  watchProgress(stream: NodeJS.EventEmitter, signal: AbortSignal): void {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      const { stallSeconds } = this.limits;
      timer = setTimeout(
        () => this.#lose(`no progress for ${stallSeconds} s`),
        stallSeconds * 1000,
      );
    };
    stream.on('data', arm);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        stream.off('data', arm);
      },
      { once: true },
    );
    arm();
  }

  /** Ends the connection; at once when it is already dead, and without waiting long for a frozen instance. */
  close(): Promise<void> {
    if (this.#why !== undefined) return Promise.resolve();
    this.#why = 'closed';
    for (const fail of this.#onLost) fail('closed');
    return new Promise((resolve) => {
      const drop = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
      this.socket.once('close', () => {
        clearTimeout(drop);
        resolve();
      });
      this.client.end();
    });
  }
}
