import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How long a cancelled step may take to stop on the instance before this process leaves anyway. */
const CANCEL_WAIT_MS = 5000;

export interface SignalWatch {
  received: NodeJS.Signals | undefined;
  /** 128 + the signal's number, as a shell reports a command killed by it. */
  exitStatus(): number;
  dispose(): void;
}

/**
 * Ctrl-C (ninja forwards it as SIGINT), SIGTERM and SIGHUP no longer kill the shim outright: `cancel` asks the
 * instance to stop the step, and the shim exits as the shell would once that is done, or after a short wait.
 */
export function cancelOnSignals(cancel: () => void): SignalWatch {
  const watch: SignalWatch = {
    received: undefined,
    exitStatus: () => 128 + (watch.received ? constants.signals[watch.received] : 0),
    dispose: () => SIGNALS.forEach((signal) => process.off(signal, onSignal)),
  };
  function onSignal(signal: NodeJS.Signals): void {
    if (watch.received) return;
    watch.received = signal;
    cancel();
    setTimeout(() => process.exit(watch.exitStatus()), CANCEL_WAIT_MS).unref();
  }
  SIGNALS.forEach((signal) => process.on(signal, onSignal));
  return watch;
}
