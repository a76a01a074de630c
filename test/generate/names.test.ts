import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LOCAL, makeProject, ninja, remoteGen } from '../helpers/cli.js';

const HEADER =
  "import { EnvironmentRemote } from 'scons-remote';\nconst env = new EnvironmentRemote();\n";

/** Builds `target` from `source` with cp, then checks the bytes and that a second ninja has nothing to do. */
function copiesThrough(source: string, target: string): void {
  const dir = makeProject({
    'build.remote.ts': `${HEADER}env.command({ target: ${JSON.stringify(target)}, source: ${JSON.stringify(source)}, action: 'cp $SOURCE $TARGET' });\n`,
    [source]: 'content\n',
  });
  const gen = remoteGen(dir);
  assert.equal(gen.status, 0, gen.stderr);
  const build = ninja(dir, [], LOCAL);
  assert.equal(build.status, 0, build.stdout + build.stderr);
  assert.equal(readFileSync(join(dir, target), 'utf8'), 'content\n');
  assert.match(ninja(dir, [], LOCAL).stdout, /no work to do/);
}

describe('remote-gen with unusual names', () => {
  it('passes paths that start with - as ./-name, so commands do not take them for options', () => {
    copiesThrough('-r', '-L.out');
  });

  it('keeps a backslash in a name as part of the name', () => {
    copiesThrough('back\\slash.txt', 'out\\put.txt');
  });

  it('builds from a source with a tab in its name, once', () => {
    copiesThrough('tab\there.txt', 'tab.out');
  });
});
