import { status, type ServiceError } from '@grpc/grpc-js';
import { UserError } from '../util/user-error.js';

// What an engine's refusals mean to a user, one line each, and which of them are worth another
// try: RESOURCE_EXHAUSTED (a busy engine) and UNAVAILABLE (unreachable, restarting, a dropped
// connection) are retried with exponential backoff, everything else is reported at once.
//
// API: ATTEMPTS, isServiceError, isRetryable, engineError(error, endpoint, call), backoff,
// withRetries.

export const ATTEMPTS = 5;
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 2000;

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number';
}

export function isRetryable(error: unknown): boolean {
  return (
    isServiceError(error) &&
    (error.code === status.RESOURCE_EXHAUSTED || error.code === status.UNAVAILABLE)
  );
}

/**
 * gRPC's account of a failed connection, without its wrapping: "No connection established. Last
 * error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: " says "connect ECONNREFUSED
 * 127.0.0.1:1".
 */
function connectionFault(details: string): string {
  return details
    .replace(/\s*Resolution note:.*$/s, '')
    .replace(/^No connection established\. Last error: (?:Error: )?/, '')
    .replace(/\.$/, '');
}

/** The one line a user sees for `error`, which `call` (e.g. `FindMissingBlobs`) got from `endpoint`. */
export function engineError(error: ServiceError, endpoint: string, call: string): UserError {
  const details = error.details || status[error.code];
  const engine = `remote execution: engine ${endpoint}`;
  switch (error.code) {
    case status.UNAVAILABLE:
      return new UserError(
        `${engine} unreachable (${call}, ${ATTEMPTS} attempts): ${connectionFault(details)}`,
      );
    case status.UNAUTHENTICATED:
      return new UserError(
        `${engine} refused the credentials (UNAUTHENTICATED: ${details}); ` +
          'check the headersFromEnv and tls of the connection',
      );
    case status.PERMISSION_DENIED:
      return new UserError(`${engine} denied ${call} (PERMISSION_DENIED: ${details})`);
    case status.RESOURCE_EXHAUSTED:
      return new UserError(
        `${engine} is out of resources (${call}, ${ATTEMPTS} attempts): ${details}`,
      );
    case status.DEADLINE_EXCEEDED:
      return new UserError(`${engine} did not answer ${call} in time (DEADLINE_EXCEEDED)`);
    default:
      return new UserError(`${engine}: ${call} failed: ${status[error.code]}: ${details}`);
  }
}

/** Waits before try number `tries + 1`: exponential, with jitter so many steps spread out. */
export function backoff(tries: number): Promise<void> {
  const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (tries - 1));
  return new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * (delay / 2)));
}

/** Runs `attempt` until it succeeds, fails for good, or has failed ATTEMPTS times; backs off between. */
export async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryable(error) || tries >= ATTEMPTS) throw error;
      await backoff(tries);
    }
  }
}
