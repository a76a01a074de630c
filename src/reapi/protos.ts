import { readFileSync } from 'node:fs';
import type { ServiceDefinition } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { PROTOS_JSON } from './proto-files.js';

// Messages of REAPI, ByteStream and longrunning, from the JSON descriptor build-protos wrote.
// gRPC service definitions are made here from protobufjs' reflection rather than by
// @grpc/proto-loader, whose fromJSON derives a descriptor proto for every type: measured ~280 ms
// against ~50 ms per process, paid by every remote step.
//
// Objects use camelCase field names, int64 as numbers (sizes stay far below 2^53), enums as
// their names, bytes as Buffers; decoded objects carry every field (defaults filled in).
//
// API: REAPI (package prefix), encodeMessage, encodeCanonical, decodeMessage, serviceDefinition.

export const REAPI = 'build.bazel.remote.execution.v2';

const DECODED: protobuf.IConversionOptions = {
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
};

let root: protobuf.Root | undefined;

function protoRoot(): protobuf.Root {
  if (root) return root;
  let json: string;
  try {
    json = readFileSync(PROTOS_JSON, 'utf8');
  } catch {
    throw new Error(`${PROTOS_JSON.pathname} is missing: npm run build compiles the REAPI protos`);
  }
  return (root = protobuf.Root.fromJSON(JSON.parse(json) as object));
}

function messageType(name: string): protobuf.Type {
  return protoRoot().lookupType(name);
}

export function encodeMessage(typeName: string, object: object): Buffer {
  const type = messageType(typeName);
  return Buffer.from(type.encode(type.fromObject(object)).finish());
}

/** Drops fields holding their default value, which proto3's canonical form never writes. */
function withoutDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDefaults);
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return value;
  const kept = Object.entries(value).filter(
    ([, field]) =>
      field !== '' &&
      field !== 0 &&
      field !== false &&
      field !== null &&
      field !== undefined &&
      !(Buffer.isBuffer(field) && field.length === 0) &&
      !(Array.isArray(field) && field.length === 0),
  );
  return Object.fromEntries(kept.map(([name, field]) => [name, withoutDefaults(field)]));
}

/**
 * The bytes a digest is taken over (Directory, Command, Action): fields in field-number order
 * (protobufjs' encoder sorts them) and no default values. Repeated fields must already be in the
 * order REAPI prescribes; that is the caller's, since only it knows the sort keys.
 */
export function encodeCanonical(typeName: string, object: object): Buffer {
  return encodeMessage(typeName, withoutDefaults(object) as object);
}

export function decodeMessage<T>(typeName: string, bytes: Uint8Array): T {
  const type = messageType(typeName);
  return type.toObject(type.decode(bytes), DECODED) as T;
}

/** A gRPC service definition for `fullName` (e.g. `google.bytestream.ByteStream`). */
export function serviceDefinition(fullName: string): ServiceDefinition {
  const service = protoRoot().lookupService(fullName);
  service.resolveAll();
  const methods = service.methodsArray.map((method) => {
    const request = method.resolvedRequestType!.fullName.slice(1);
    const response = method.resolvedResponseType!.fullName.slice(1);
    const definition = {
      path: `/${fullName}/${method.name}`,
      requestStream: Boolean(method.requestStream),
      responseStream: Boolean(method.responseStream),
      requestSerialize: (object: object) => encodeMessage(request, object),
      requestDeserialize: (bytes: Buffer) => decodeMessage<object>(request, bytes),
      responseSerialize: (object: object) => encodeMessage(response, object),
      responseDeserialize: (bytes: Buffer) => decodeMessage<object>(response, bytes),
    };
    return [method.name, definition] as const;
  });
  return Object.fromEntries(methods) as ServiceDefinition;
}
