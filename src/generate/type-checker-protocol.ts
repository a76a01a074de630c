import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { FreshCheck } from './type-check.js';

// The wire between remote-gen and its type-checker daemon, over a unix socket: one JSON line each
// way, then the daemon closes the connection.

export interface CheckRequest {
  /** The client's tool (see checkerKey): a daemon of another answers `other-version`. */
  key: string;
  /** The description, absolute. */
  file: string;
  /** Where messages name files from. */
  cwd: string;
}

export type CheckReply =
  | { type: 'checked'; check: FreshCheck }
  | { type: 'type-error'; message: string }
  | { type: 'other-version' }
  /** The daemon could not check (a bug, or no compiler): the client checks by itself. */
  | { type: 'failed'; message: string };

const require = createRequire(import.meta.url);

const versionOf = (manifest: string): string => (require(manifest) as { version: string }).version;

/**
 * What a daemon must share with its client to check as the client would: node, this package and the
 * compiler, by version (npm gives installed files one fixed time) and by the time of the checker's
 * files (a rebuild of a checkout keeps the version).
 */
export function checkerKey(): string {
  const built = ['./type-check.js', './type-checker-main.js'].map(
    (name) => statSync(new URL(name, import.meta.url)).mtimeMs,
  );
  return JSON.stringify([
    process.version,
    process.execPath,
    versionOf('../../../package.json'),
    versionOf('typescript/package.json'),
    ...built,
  ]);
}

export const lineOf = (message: CheckRequest | CheckReply): string =>
  `${JSON.stringify(message)}\n`;

/** Calls `onLine` with the first line the socket delivers, parsed; later bytes are ignored. */
export function onFirstLine(socket: Socket, onLine: (message: unknown) => void): void {
  let text = '';
  let done = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    if (done) return;
    text += chunk;
    const end = text.indexOf('\n');
    if (end < 0) return;
    done = true;
    let message: unknown;
    try {
      message = JSON.parse(text.slice(0, end));
    } catch {
      message = undefined;
    }
    onLine(message);
  });
}
