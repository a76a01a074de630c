// Run by `npm run build`: writes dist/shim/remote-exec, the program a build runs for each step (the
// package's `remote-exec` bin and build.ninja's command). It is shim/remote-exec.c compiled with
// this machine's C compiler ($CC, else cc): a step client that starts in ~1 ms and relays the step
// to the project's agent, running the node client (remote-exec.cjs) for everything else. Without a
// C compiler it is a two-line shell script that runs the node client, and the build says so: steps
// then cost a node start-up each, nothing else changes.
import { execFileSync } from 'node:child_process';
import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLIENT_ERROR_STATUS, FrameKind, PROTOCOL_VERSION } from '../api/agent-protocol.js';
import { LOCAL_COMMAND_VARIABLE } from '../api/local-command.js';
import { shellJoin } from '../util/shell-quote.js';

const source = fileURLToPath(new URL('../../../shim/remote-exec.c', import.meta.url));
const shim = fileURLToPath(new URL('../../shim/', import.meta.url));
// An argument names another place to write it (tests build one without a compiler there).
const program = process.argv[2] ?? `${shim}remote-exec`;
const nodeClient = `${shim}remote-exec.cjs`;
const written = `${program}.${process.pid}.tmp`;

const definitions = {
  PROTOCOL_VERSION,
  CLIENT_ERROR_STATUS,
  FRAME_MESSAGE: FrameKind.Message,
  FRAME_STDOUT: FrameKind.Stdout,
  FRAME_STDERR: FrameKind.Stderr,
  LOCAL_COMMAND_VARIABLE: JSON.stringify(LOCAL_COMMAND_VARIABLE),
  // The node this build ran on; the client falls back to the one on PATH when it is gone.
  NODE_PATH: JSON.stringify(process.execPath),
};

/** Compiles the client with `flags`: undefined when it did, else the compiler's words. */
function compile(compiler: string, flags: readonly string[]): string | undefined {
  const defines = Object.entries(definitions).map(([name, value]) => `-D${name}=${value}`);
  try {
    execFileSync(
      compiler,
      ['-O2', '-std=gnu11', ...flags, ...defines, '-o', written, source, '-lm'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return stderr || (error as Error).message;
  }
}

// Linked statically where the C library allows: a step's exec then maps no shared libraries, which
// halved its start-up here (2.7 to 1.4 ms), and make -j16 starts one per step.
function compiled(compiler: string): boolean {
  if (compile(compiler, ['-static']) === undefined) return true;
  const failure = compile(compiler, []);
  if (failure === undefined) return true;
  process.stderr.write(
    `remote-exec: no native step client (${compiler}: ${failure}); ` +
      'each step will start node, ~100 ms more: install a C compiler and run `npm run build`\n',
  );
  return false;
}

try {
  if (!compiled(process.env.CC || 'cc'))
    writeFileSync(written, `#!/bin/sh\nexec ${shellJoin([process.execPath, nodeClient])} "$@"\n`);
  chmodSync(written, 0o755);
  // Renamed into place: a build running steps meanwhile never starts a half-written program.
  renameSync(written, program);
} finally {
  rmSync(written, { force: true });
}
