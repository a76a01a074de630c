import assert from 'node:assert/strict';
import { cpSync, existsSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeProject, run, tempDir } from '../helpers/cli.js';

// remote-exec runs a one-file bundle of itself that `npm run build` writes after tsc; a build by
// tsc alone leaves the bundle of an earlier build behind, which must never run.

const DIST = fileURLToPath(new URL('../../', import.meta.url));

/** A copy of the built package (the shims and the modules tsc wrote), to age its files freely. */
function packageCopy(): { shim: string; bundle: string; modules: string } {
  const root = tempDir();
  const copy = { recursive: true, preserveTimestamps: true };
  cpSync(join(DIST, 'shim'), join(root, 'dist/shim'), copy);
  cpSync(join(DIST, 'src'), join(root, 'dist/src'), copy);
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  const shim = join(root, 'dist/shim/remote-exec.cjs');
  return {
    shim,
    bundle: join(root, 'dist/shim/remote-exec-bundle.cjs'),
    modules: join(root, 'dist/src'),
  };
}

function localStep(shim: string) {
  const dir = makeProject({ 'in.txt': 'data\n' });
  const args = ['--config', 'remote.json', '--in', 'in.txt', '--', 'cat in.txt; exit 3'];
  return run(process.execPath, [shim, ...args], dir, { SCONS_REMOTE_MODE: 'local' });
}

describe('the bundle of remote-exec', () => {
  it('is written by the build and runs a step on its own', () => {
    const { shim, bundle, modules } = packageCopy();
    assert.ok(existsSync(bundle));
    rmSync(modules, { recursive: true });
    const result = localStep(shim);
    assert.deepEqual([result.status, result.stdout, result.stderr], [3, 'data\n', '']);
  });

  it('never runs when older than the shim (tsc alone rebuilt it) or missing', () => {
    const { shim, bundle } = packageCopy();
    writeFileSync(bundle, "process.stdout.write('an earlier build\\n');\n");
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(bundle, hourAgo, hourAgo);
    const stale = localStep(shim);
    assert.deepEqual([stale.status, stale.stdout, stale.stderr], [3, 'data\n', '']);
    rmSync(bundle);
    const missing = localStep(shim);
    assert.deepEqual([missing.status, missing.stdout, missing.stderr], [3, 'data\n', '']);
  });
});
