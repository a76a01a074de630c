import { status } from '@grpc/grpc-js';
import type { Digest } from '../cas/digest.js';
import { UserError } from '../util/user-error.js';
import { ATTEMPTS, backoff, isRetryable, isServiceError } from './engine-errors.js';
import type { Engine } from './engine.js';
import type { ActionResult, ExecuteResponse, Operation, RpcStatus } from './messages.js';
import { decodeMessage, REAPI } from './protos.js';

// Running an action on the engine: the action cache first (a hit runs nothing), else Execute,
// following its stream of Operations to the one marked done. When the stream drops (engine
// restarted, proxy timeout), the same operation is followed again with WaitExecution by name, so
// an action is never started twice for one drop; an engine that forgot the operation gets the
// Execute again, which its own cache or deduplication answers.
//
// API: MissingInputs, cachedResult(engine, action), execute(engine, action, skipCacheLookup).

/** The engine lacks blobs the action needs (FAILED_PRECONDITION): upload again, then retry. */
export class MissingInputs extends Error {}

export function cachedResult(engine: Engine, action: Digest): Promise<ActionResult | undefined> {
  return engine.lookup<ActionResult>('ActionCache', 'GetActionResult', {
    instanceName: engine.instanceName,
    actionDigest: action,
    inlineStdout: true,
    inlineStderr: true,
  });
}

function failed(engine: Engine, call: string, rpc: RpcStatus): Error {
  if (rpc.code === status.FAILED_PRECONDITION) return new MissingInputs(rpc.message);
  const code = status[rpc.code] ?? `code ${rpc.code}`;
  return new UserError(
    `remote execution: engine ${engine.endpoint}: ${call} failed: ${code}: ${rpc.message}`,
  );
}

function finished(engine: Engine, operation: Operation): ExecuteResponse {
  if (operation.error && operation.error.code !== 0) {
    throw failed(engine, 'Execute', operation.error);
  }
  if (!operation.response) {
    throw new UserError(
      `remote execution: engine ${engine.endpoint} ended an action without result`,
    );
  }
  const response = decodeMessage<ExecuteResponse>(
    `${REAPI}.ExecuteResponse`,
    operation.response.value,
  );
  const rpc = response.status;
  // DEADLINE_EXCEEDED is the action's own timeout: its partial result is still worth showing.
  if (rpc && rpc.code !== 0 && rpc.code !== status.DEADLINE_EXCEEDED) {
    throw failed(engine, 'the action', rpc);
  }
  return response;
}

/** Follows one stream to its done Operation; undefined when the stream ended before that. */
async function follow(
  stream: AsyncIterable<Operation>,
  named: (name: string) => void,
): Promise<Operation | undefined> {
  for await (const operation of stream) {
    if (operation.name) named(operation.name);
    if (operation.done) return operation;
  }
  return undefined;
}

export async function execute(
  engine: Engine,
  action: Digest,
  skipCacheLookup: boolean,
): Promise<ExecuteResponse> {
  let name: string | undefined;
  let drops = 0;
  for (;;) {
    const call = name === undefined ? 'Execute' : 'WaitExecution';
    const request =
      name === undefined
        ? { instanceName: engine.instanceName, actionDigest: action, skipCacheLookup }
        : { name };
    try {
      const stream = engine.serverStream<Operation>('Execution', call, request);
      const done = await follow(stream, (n) => (name = n));
      if (done) return finished(engine, done);
      if (++drops > ATTEMPTS) {
        throw new UserError(
          `remote execution: engine ${engine.endpoint} kept ending the action's stream early`,
        );
      }
    } catch (error) {
      if (!isServiceError(error)) throw error;
      if (error.code === status.FAILED_PRECONDITION) throw new MissingInputs(error.details);
      const forgotten = call === 'WaitExecution' && error.code === status.NOT_FOUND;
      if ((!forgotten && !isRetryable(error)) || ++drops > ATTEMPTS) {
        throw engine.failure(error, call);
      }
      if (forgotten) name = undefined;
    }
    // A busy engine or a dropped stream: wait, then follow (or start) the operation again.
    await backoff(drops);
  }
}
