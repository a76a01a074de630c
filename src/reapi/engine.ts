import { readFileSync } from 'node:fs';
import {
  Client,
  credentials,
  Metadata,
  status,
  type ClientReadableStream,
  type ClientWritableStream,
  type MethodDefinition,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { UserError } from '../util/user-error.js';
import type { EngineOptions } from './engine-options.js';
import { engineError, isServiceError, withRetries } from './engine-errors.js';
import { REAPI, serviceDefinition } from './protos.js';

// One gRPC channel to an engine, shared by every service and call of a step (or of a build, in
// an agent). Calls carry the credential headers; unary calls have a deadline and are retried
// when the engine is busy or unreachable, and fail as one line naming the engine and the call.
//
// API: SERVICES, MAX_MESSAGE_BYTES, Engine: unary, lookup, serverStream, clientStream, failure,
// close, instanceName, endpoint.

export const SERVICES = {
  Capabilities: `${REAPI}.Capabilities`,
  ContentAddressableStorage: `${REAPI}.ContentAddressableStorage`,
  ActionCache: `${REAPI}.ActionCache`,
  Execution: `${REAPI}.Execution`,
  ByteStream: 'google.bytestream.ByteStream',
} as const;
export type Service = keyof typeof SERVICES;

/** How long one unary call may take; a batch of blobs near the limit still fits on a slow link. */
const CALL_SECONDS = 120;
/** gRPC's default limit on a received message; engines also advertise their own. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

function readPem(path: string | undefined, what: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UserError(`remote execution: cannot read tls ${what} '${path}': ${String(error)}`);
  }
}

/** The credential headers with their values from `env`; one line for a variable not set. */
function headerValues(
  headers: EngineOptions['headersFromEnv'],
  env: NodeJS.ProcessEnv,
): [string, string][] {
  return Object.entries(headers ?? {}).map(([header, variable]) => {
    const value = env[variable];
    if (!value) {
      throw new UserError(
        `remote execution: environment variable ${variable} (for header ${header}) is not set`,
      );
    }
    return [header.toLowerCase(), value];
  });
}

export class Engine {
  readonly endpoint: string;
  readonly instanceName: string;
  private readonly client: Client;
  private readonly headers: [string, string][];
  private readonly definitions = new Map<Service, ServiceDefinition>();

  /** `env` holds the variables headersFromEnv names: the step's, when an agent serves many. */
  constructor(options: EngineOptions, env: NodeJS.ProcessEnv = process.env) {
    this.endpoint = options.endpoint;
    this.instanceName = options.instanceName ?? '';
    this.headers = headerValues(options.headersFromEnv, env);
    const [scheme, address] = options.endpoint.split('://') as [string, string];
    const channelCredentials =
      scheme === 'grpcs'
        ? credentials.createSsl(
            readPem(options.tls?.caFile, 'caFile'),
            readPem(options.tls?.keyFile, 'keyFile'),
            readPem(options.tls?.certFile, 'certFile'),
          )
        : credentials.createInsecure();
    this.client = new Client(address, channelCredentials, {
      'grpc.max_receive_message_length': -1,
      'grpc.keepalive_time_ms': 30_000,
    });
  }

  private method(service: Service, name: string): MethodDefinition<object, object> {
    let definition = this.definitions.get(service);
    if (!definition)
      this.definitions.set(service, (definition = serviceDefinition(SERVICES[service])));
    return definition[name] as MethodDefinition<object, object>;
  }

  private metadata(): Metadata {
    const metadata = new Metadata();
    for (const [header, value] of this.headers) metadata.set(header, value);
    return metadata;
  }

  /** One request, one answer; retried while the engine is busy or unreachable. */
  unary<T>(service: Service, name: string, request: object): Promise<T> {
    return this.call<T>(service, name, request).catch((error: unknown) => {
      throw this.failure(error, name);
    });
  }

  /** As unary, with NOT_FOUND answered as undefined (GetActionResult's cache miss). */
  lookup<T>(service: Service, name: string, request: object): Promise<T | undefined> {
    return this.call<T>(service, name, request).catch((error: unknown) => {
      if (isServiceError(error) && error.code === status.NOT_FOUND) return undefined;
      throw this.failure(error, name);
    });
  }

  private call<T>(service: Service, name: string, request: object): Promise<T> {
    const method = this.method(service, name);
    const once = () =>
      new Promise<T>((resolve, reject) => {
        const deadline = Date.now() + CALL_SECONDS * 1000;
        this.client.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          request,
          this.metadata(),
          { deadline },
          (error, response) => (error ? reject(error) : resolve(response as T)),
        );
      });
    return withRetries(once);
  }

  /** A call answered by a stream (Execute, WaitExecution, ByteStream Read); no retry here. */
  serverStream<T>(service: Service, name: string, request: object): ClientReadableStream<T> {
    const method = this.method(service, name);
    return this.client.makeServerStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      this.metadata(),
    ) as ClientReadableStream<T>;
  }

  /** A call sending a stream (ByteStream Write); its answer comes to `done`. */
  clientStream<T>(
    service: Service,
    name: string,
    done: (error: Error | null, response?: T) => void,
  ): ClientWritableStream<object> {
    const method = this.method(service, name);
    return this.client.makeClientStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      this.metadata(),
      (error, response) => done(error, response as T),
    );
  }

  /** The one line for a stream's `error`, as unary calls report theirs. */
  failure(error: unknown, call: string): unknown {
    return isServiceError(error) ? engineError(error, this.endpoint, call) : error;
  }

  close(): void {
    this.client.close();
  }
}
