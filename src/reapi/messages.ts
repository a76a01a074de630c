import type { Digest } from '../cas/digest.js';

// The REAPI messages this client and the test server read and write, as protos.ts shapes them
// (camelCase, int64 as numbers). Only the fields used here are listed.

export interface FileNode {
  name: string;
  digest: Digest;
  isExecutable: boolean;
}

export interface DirectoryNode {
  name: string;
  digest: Digest;
}

export interface SymlinkNode {
  name: string;
  target: string;
}

export interface Directory {
  files: FileNode[];
  directories: DirectoryNode[];
  symlinks: SymlinkNode[];
}

export interface Tree {
  root: Directory | null;
  children: Directory[];
}

export interface NameValue {
  name: string;
  value: string;
}

export interface Command {
  arguments: string[];
  environmentVariables: NameValue[];
  outputFiles: string[];
  outputDirectories: string[];
  outputPaths: string[];
  platform: { properties: NameValue[] } | null;
  workingDirectory: string;
}

export interface Action {
  commandDigest: Digest;
  inputRootDigest: Digest;
  timeout: { seconds: number; nanos: number } | null;
  doNotCache: boolean;
  platform: { properties: NameValue[] } | null;
}

export interface OutputFile {
  path: string;
  digest: Digest;
  isExecutable: boolean;
  contents: Buffer;
}

export interface OutputDirectory {
  path: string;
  treeDigest: Digest;
}

export interface OutputSymlink {
  path: string;
  target: string;
}

export interface ActionResult {
  outputFiles: OutputFile[];
  outputFileSymlinks: OutputSymlink[];
  outputSymlinks: OutputSymlink[];
  outputDirectories: OutputDirectory[];
  outputDirectorySymlinks: OutputSymlink[];
  exitCode: number;
  stdoutRaw: Buffer;
  stdoutDigest: Digest | null;
  stderrRaw: Buffer;
  stderrDigest: Digest | null;
}

export interface RpcStatus {
  code: number;
  message: string;
  details?: { typeUrl: string; value: Buffer }[];
}

export interface ExecuteResponse {
  result: ActionResult | null;
  cachedResult: boolean;
  status: RpcStatus | null;
  message: string;
}

export interface Operation {
  name: string;
  done: boolean;
  error?: RpcStatus | null;
  metadata?: { typeUrl: string; value: Buffer } | null;
  response?: { typeUrl: string; value: Buffer } | null;
}
