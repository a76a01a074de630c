import { Cancellation } from './cancellation.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How long a cancelled step may take to stop on the instance before this process leaves anyway. */
const CANCEL_WAIT_MS = 5000;

export interface SignalWatch {
  cancellation: Cancellation;
  dispose(): void;
}

/**
 * Ctrl-C (ninja forwards it as SIGINT), SIGTERM and SIGHUP no longer kill the step's process outright:
 * the cancellation asks for the step to stop, and the process exits as the shell would once that is
 * done, or after a short wait.
 */
export function cancelOnSignals(): SignalWatch {
  const cancellation = new Cancellation();
  function onSignal(signal: NodeJS.Signals): void {
    if (cancellation.received) return;
    cancellation.cancel(signal);
    setTimeout(() => process.exit(cancellation.exitStatus()), CANCEL_WAIT_MS).unref();
  }
  SIGNALS.forEach((signal) => process.on(signal, onSignal));
  return {
    cancellation,
    dispose: () => SIGNALS.forEach((signal) => process.off(signal, onSignal)),
  };
}
