#!/usr/bin/env node
// remote-exec runs once per build step, so its start-up is what a step costs, and this entry is
// CommonJS for that: an ES module entry costs a step ~25 ms more CPU (measured: 1.45x `node -e 0`
// against 1.27x for a local-mode step), even when all it does is `require` the bundle.
// `npm run build` bundles the program into remote-exec-bundle.cjs (src/exec/write-step-bundle.ts);
// the ES modules tsc wrote run instead when the bundle is missing or older than this file (a build
// by `tsc` alone), so a stale bundle never runs.
import { statSync } from 'node:fs';
import { join } from 'node:path';

interface Program {
  runRemoteExec(): Promise<void>;
}

const BUNDLE = join(__dirname, 'remote-exec-bundle.cjs');
const modified = (path: string): number => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? -1;

const program: Promise<Program> =
  modified(BUNDLE) >= modified(__filename)
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file chosen at run time
      Promise.resolve(require(BUNDLE) as Program)
    : import('../src/exec/run-remote-exec.js');
void program.then((loaded) => loaded.runRemoteExec());
