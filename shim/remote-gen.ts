#!/usr/bin/env node
import { runCli } from '../src/util/run-cli.js';

await runCli('remote-gen', 1, async () => (await import('../src/generate/cli.js')).runGenCli(process.argv.slice(2)));
// Ends timers a failed description left behind; on success they have all run already.
process.exit();
