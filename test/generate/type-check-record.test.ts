import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeProject, remoteGen } from '../helpers/cli.js';
import { withoutCompiler } from './compiler-tripwire.js';

const DESCRIPTION = `import { EnvironmentRemote } from 'scons-remote';
import { ACTION } from './lib/action.ts';
const env = new EnvironmentRemote();
interface Named {
  name: string;
}
const first: Named = { name: 'a.txt' };
env.command({ target: first.name, action: ACTION });
`;

function project(): string {
  return makeProject({
    'build.remote.ts': DESCRIPTION,
    'lib/action.ts': "export const ACTION: string = 'touch $TARGET';\n",
  });
}

describe('remote-gen on a description it checked before', () => {
  it('runs an unchanged description without loading the compiler', () => {
    const dir = project();
    assert.equal(remoteGen(dir).status, 0);
    const again = remoteGen(dir, [], withoutCompiler());
    assert.equal(again.status, 0, again.stderr);
    assert.equal(readdirSync(join(dir, '.scons-remote/type-checked')).length, 1);
  });

  it('checks again after the description changed', () => {
    const dir = project();
    assert.equal(remoteGen(dir).status, 0);
    appendFileSync(join(dir, 'build.remote.ts'), 'const count: number = first.name;\n');
    const gen = remoteGen(dir);
    assert.equal(gen.status, 1);
    assert.match(gen.stderr, /^remote-gen: error: build\.remote\.ts:9:7: error TS2322: /);
  });

  it('checks again after a file the description imports changed', () => {
    const dir = project();
    assert.equal(remoteGen(dir).status, 0);
    writeFileSync(join(dir, 'lib/action.ts'), 'export const ACTION: string = 42;\n');
    const gen = remoteGen(dir);
    assert.equal(gen.status, 1);
    assert.match(gen.stderr, /^remote-gen: error: lib\/action\.ts:1:14: error TS2322: /);
  });

  it('names the .ts line of a failure when it runs the recorded JavaScript', () => {
    const dir = project();
    const line = "env.command({ target: 'b.txt', source: 'in.txt', action: ACTION });\n";
    writeFileSync(join(dir, 'build.remote.ts'), DESCRIPTION + line);
    writeFileSync(join(dir, 'in.txt'), 'input\n');
    assert.equal(remoteGen(dir).status, 0);
    rmSync(join(dir, 'in.txt'));
    const gen = remoteGen(dir, [], withoutCompiler());
    assert.equal(gen.status, 1);
    assert.match(
      gen.stderr,
      /^remote-gen: error: build\.remote\.ts:9: source 'in\.txt' of 'b\.txt' does not exist/,
    );
  });

  it('checks again when the record is unreadable', () => {
    const dir = project();
    assert.equal(remoteGen(dir).status, 0);
    const records = join(dir, '.scons-remote/type-checked');
    for (const name of readdirSync(records)) writeFileSync(join(records, name), '{"tool": ');
    assert.equal(remoteGen(dir).status, 0);
    const again = remoteGen(dir, [], withoutCompiler());
    assert.equal(again.status, 0, again.stderr);
  });
});
