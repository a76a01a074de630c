#!/usr/bin/env node
import { runCli } from '../src/util/run-cli.js';

// --check-globs runs on every build that touched a folder a glob read: it must not load the compiler.
const [first, statePath] = process.argv.slice(2);
await runCli('remote-gen', 1, async () =>
  first === '--check-globs' && statePath
    ? (await import('../src/generate/check-globs.js')).checkGlobs(statePath)
    : (await import('../src/generate/cli.js')).runGenCli(process.argv.slice(2)),
);
// Ends timers a failed description left behind; on success they have all run already.
process.exit();
