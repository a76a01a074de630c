import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeProject, ninja, remoteGen } from '../helpers/cli.js';

const HEADER = `import { EnvironmentRemote } from 'scons-remote';
const env = new EnvironmentRemote();
env.connectionInitialize({ region: 'us-west-2' }, { ImageId: 'ami-1', MinCount: 1, MaxCount: 1 }, { username: 'ubuntu', privateKeyPath: 'key.pem' });
`;

// Local steps compile with gcc, whose -MMD writes obj/NAME.d beside obj/NAME.o for ninja to read.
const LOCAL_COMPILES = `${HEADER}for (const name of ['a', 'b']) {
  env.command({
    target: \`obj/\${name}.o\`, source: \`src/\${name}.c\`, depfile: \`obj/\${name}.d\`, deps: 'gcc',
    action: 'gcc -Isrc -MMD -c $SOURCE -o $TARGET',
  });
}
`;

const SOURCES = {
  'key.pem': 'not a key',
  'src/a.c': '#include "a.h"\nint a(void) { return A; }\n',
  'src/a.h': '#define A 1\n',
  'src/b.c': '#include "b.h"\nint b(void) { return B; }\n',
  'src/b.h': '#define B 2\n',
};

/** The lines of the edge that builds `target`, up to the next edge. */
function edge(manifest: string, target: string): string {
  const start = manifest.indexOf(`build ${target}:`);
  assert.notEqual(start, -1, manifest);
  const end = manifest.indexOf('\nbuild ', start + 1);
  return manifest.slice(start, end === -1 ? undefined : end);
}

describe('depfile and deps of a step', () => {
  it("are written as ninja's bindings, and a remote step hands its depfile to the shim", () => {
    const remote = `env.commandRemote({ target: 'x.o', source: 'src/a.c', depfile: 'x.d', deps: 'gcc',
  action: env.actionRemote({ cmd: 'gcc', cmdArgs: ['-MMD', '-c'] }) });\n`;
    const dir = makeProject({ 'build.remote.ts': LOCAL_COMPILES + remote, ...SOURCES });
    const gen = remoteGen(dir);
    assert.equal(gen.status, 0, gen.stderr);
    const manifest = readFileSync(join(dir, 'build.ninja'), 'utf8');
    const remoteEdge = edge(manifest, 'x.o');
    assert.match(remoteEdge, /\n {2}depfile = x\.d\n {2}deps = gcc(\n|$)/);
    assert.match(remoteEdge, / --out=x\.o --depfile=x\.d -- 'gcc -MMD -c /);
    const localEdge = edge(manifest, 'obj/a.o');
    assert.match(localEdge, /\n {2}depfile = obj\/a\.d\n {2}deps = gcc(\n|$)/);
    assert.doesNotMatch(localEdge, /remote-exec/);
  });

  it('let ninja rebuild exactly the object whose header changed (local steps)', () => {
    const dir = makeProject({ 'build.remote.ts': LOCAL_COMPILES, ...SOURCES });
    assert.equal(remoteGen(dir).status, 0);
    const first = ninja(dir);
    assert.equal(first.status, 0, first.stdout);
    assert.match(ninja(dir).stdout, /ninja: no work to do/);
    writeFileSync(join(dir, 'src/b.h'), '#define B 3\n');
    const again = ninja(dir, ['-d', 'explain']);
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /LOCAL obj\/b\.o/);
    assert.doesNotMatch(again.stdout, /LOCAL obj\/a\.o/);
    assert.match(ninja(dir, ['-t', 'deps', 'obj/b.o']).stdout, /src\/b\.h/);
  });

  it("let ninja read msvc's /showIncludes lines from a step's output", () => {
    const step = `env.command({ target: 'm.txt', source: 'src/a.c', deps: 'msvc',
  action: 'echo "Note: including file: src/a.h" && cp $SOURCE $TARGET' });\n`;
    const dir = makeProject({ 'build.remote.ts': HEADER + step, ...SOURCES });
    assert.equal(remoteGen(dir).status, 0);
    const build = ninja(dir);
    assert.equal(build.status, 0, build.stdout);
    assert.doesNotMatch(build.stdout, /Note: including file/);
    assert.match(ninja(dir, ['-t', 'deps', 'm.txt']).stdout, /src\/a\.h/);
  });

  const CASES: Record<string, [string, RegExp]> = {
    "deps 'gcc' without a depfile": [
      "env.command({ target: 'a', deps: 'gcc', action: 'x' });\n",
      /^remote-gen: error: build\.remote\.ts:4: command for 'a': deps 'gcc' needs a depfile$/,
    ],
    'an unknown deps kind': [
      "env.command({ target: 'a', depfile: 'a.d', deps: 'clang' as never, action: 'x' });\n",
      /^remote-gen: error: build\.remote\.ts:4: command for 'a': deps must be 'gcc' or 'msvc', got "clang"$/,
    ],
    "a depfile with deps 'msvc'": [
      "env.command({ target: 'a', depfile: 'a.d', deps: 'msvc', action: 'x' });\n",
      /^remote-gen: error: build\.remote\.ts:4: command for 'a': deps 'msvc' reads \/showIncludes .*leave depfile out$/,
    ],
    'a depfile that is the target': [
      `env.commandRemote({ target: 'a.d', depfile: 'a.d', action: env.actionRemote({ cmd: 'x' }) });\n`,
      /^remote-gen: error: build\.remote\.ts:4: commandRemote for 'a\.d': depfile 'a\.d' is also a target;/,
    ],
    'a depfile outside the folder': [
      `env.commandRemote({ target: 'a', depfile: '../a.d', action: env.actionRemote({ cmd: 'x' }) });\n`,
      /^remote-gen: error: build\.remote\.ts:4: depfile '\.\.\/a\.d' is outside the description's folder/,
    ],
    'a depfile another step builds': [
      "env.command({ target: 'a.d', action: 'x' });\nenv.command({ target: 'a', depfile: 'a.d', action: 'x' });\n",
      /^remote-gen: error: build\.remote\.ts:5: depfile 'a\.d' of 'a' is also the target of the step at build\.remote\.ts:4$/,
    ],
    'a depfile two steps write': [
      "env.command({ target: 'a', depfile: 'x.d', action: 'x' });\nenv.command({ target: 'b', depfile: 'x.d', action: 'x' });\n",
      /^remote-gen: error: build\.remote\.ts:5: depfile 'x\.d' of 'b' is also the depfile of the step at build\.remote\.ts:4$/,
    ],
  };
  for (const [name, [body, expected]] of Object.entries(CASES)) {
    it(`refuse ${name} in one line naming the step`, () => {
      const dir = makeProject({ 'build.remote.ts': HEADER + body, 'key.pem': 'not a key' });
      const gen = remoteGen(dir);
      assert.equal(gen.status, 1);
      assert.match(gen.stderr.trimEnd(), expected);
      assert.equal(gen.stderr.trimEnd().split('\n').length, 1, gen.stderr);
    });
  }
});
