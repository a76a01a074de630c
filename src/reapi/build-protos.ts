import { accessSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { PROTO_FILES, PROTOS_JSON } from './proto-files.js';

// Build step (after tsc): parses the published .proto files into one protobufjs JSON descriptor
// beside the compiled client. Why JSON at build time rather than .proto files at run time:
// - the repository carries no copy of the protos, and users' machines need neither Debian's
//   bazel-bootstrap-source (REAPI) nor google-proto-files (longrunning, bytestream, rpc status,
//   and google/api/annotations.proto, which REAPI imports for its HTTP options) at run time;
// - every remote step starts a process, and reading one JSON file is cheaper than parsing the
//   sixteen .proto files the two roots import.
// REAPI_PROTO_DIR overrides where REAPI's protos are (Debian's path by default).

const REAPI_PROTO_DIR =
  process.env['REAPI_PROTO_DIR'] ?? '/usr/src/bazel-bootstrap/third_party/remoteapis';

function googleProtoDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('google-proto-files/package.json'));
}

function buildProtos(): void {
  const includeDirs = [REAPI_PROTO_DIR, googleProtoDir()];
  try {
    accessSync(join(REAPI_PROTO_DIR, PROTO_FILES[0]));
  } catch {
    throw new Error(
      `REAPI protos not found under ${REAPI_PROTO_DIR}: apt-get install bazel-bootstrap-source, ` +
        'or set REAPI_PROTO_DIR',
    );
  }
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    for (const dir of includeDirs) {
      try {
        accessSync(join(dir, target));
        return join(dir, target);
      } catch {
        continue;
      }
    }
    throw new Error(`${target}: not found in ${includeDirs.join(' or ')}`);
  };
  root.loadSync([...PROTO_FILES]);
  root.resolveAll();
  const out = fileURLToPath(PROTOS_JSON);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(root.toJSON()));
}

buildProtos();
