#!/usr/bin/env node
import { runCli } from '../src/util/run-cli.js';

// 255 is what ssh itself exits with on its own errors, so it cannot be mistaken for the command's status.
await runCli('remote-exec', 255, async () =>
  (await import('../src/exec/cli.js')).runExecCli(process.argv.slice(2)),
);
