import assert from 'node:assert/strict';
import { LOCAL, runAsync } from './cli.js';
import { copyOf } from './cloud.js';

/**
 * A copy of the project `dir` built by `tool` in local mode, the reference a remote build's
 * outputs are compared with.
 */
export async function builtLocally(dir: string, tool: 'make' | 'ninja', args: string[] = []) {
  const local = copyOf(dir);
  const built = await runAsync(tool, args, local, LOCAL);
  assert.equal(built.status, 0, built.stdout + built.stderr);
  return local;
}
