// The published .proto files the REAPI client speaks, and where their compiled form lives.

/** Relative to their include folders (REAPI's from Debian, Google's from google-proto-files). */
export const PROTO_FILES = [
  'build/bazel/remote/execution/v2/remote_execution.proto',
  'google/bytestream/bytestream.proto',
] as const;

/** The protobufjs JSON descriptor written by build-protos, inside the package's dist/src. */
export const PROTOS_JSON = new URL('./protos.json', import.meta.url);
