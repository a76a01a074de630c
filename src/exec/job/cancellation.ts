import { exitStatus } from './exit-status.js';

/**
 * A step's cancel: Ctrl-C, SIGTERM or SIGHUP of its client, or the client gone. Whoever runs the step
 * listens; once cancelled, the step's status is the signal's, as a shell reports it.
 */
export class Cancellation {
  received: NodeJS.Signals | undefined;
  readonly #listeners = new Set<() => void>();

  onCancel(listener: () => void): void {
    this.#listeners.add(listener);
  }

  cancel(signal: NodeJS.Signals): void {
    if (this.received) return;
    this.received = signal;
    for (const listener of this.#listeners) listener();
  }

  /** The step is over: a cancel that comes later has nothing to stop. */
  stopListening(): void {
    this.#listeners.clear();
  }

  /** 128 + the signal's number. */
  exitStatus(): number {
    return exitStatus(null, this.received ?? null);
  }
}
