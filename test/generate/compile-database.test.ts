import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LOCAL, makeProject, remoteGen, withEnv } from '../helpers/cli.js';

const CONNECT = `env.connectionInitialize(
  { region: 'us-west-2' },
  { ImageId: 'ami-0123456789abcdef0', InstanceType: 't2.large', KeyName: 'my-key', MinCount: 1, MaxCount: 1 },
  { username: 'ubuntu', privateKeyPath: 'keys/my-key.pem' },
);`;

const DESCRIPTION = `import { EnvironmentRemote } from 'scons-remote';
const env = new EnvironmentRemote({ ENV: process.env });
${CONNECT}
env.commandRemote({
  // The remote command line ends with the target: gcc -c ignores the .o given as input and writes it.
  target: 'hello.o',
  source: 'src/hello.c',
  action: env.actionRemote({ cmd: 'gcc', cmdArgs: ['-O2', '-DGREETING=\\'"hi there"\\'', '-c'] }),
});
env.command({ target: 'build/util.o', source: 'src/util.cpp', action: 'g++ -Isrc -c $SOURCE -o $TARGET' });
env.commandRemote({
  target: 'arm.o', source: 'src/arm.c',
  action: env.actionRemote({ cmd: 'arm-linux-gnueabihf-gcc-12', cmdArgs: ['-c'] }),
});
env.command({ target: 'build/piped.o', source: 'src/piped.c', action: 'gcc -c $SOURCE -o $TARGET 2> log' });
env.command({ target: 'build/two.o', source: 'src/two.c', action: 'gcc -c $SOURCE -o $TARGET && touch x' });
env.command({ target: 'build/hello', source: 'hello.o', action: 'gcc $SOURCE -o $TARGET' });
env.commandRemote({
  target: 'report.txt', source: 'src/hello.c', action: env.actionRemote({ cmd: 'python3 -c pass' }),
});
env.alias('all', ['build/hello', 'build/util.o', 'report.txt']);
env.default('all');
`;

const SOURCES = {
  'src/hello.c': '#include <stdio.h>\nint main(void) { puts(GREETING); return 0; }\n',
  'src/util.cpp': '#include "util.h"\nint twice(int x) { return 2 * x; }\n',
  'src/util.h': 'int twice(int x);\n',
  'src/arm.c': 'int arm;\n',
  'src/piped.c': 'int piped;\n',
  'src/two.c': 'int two;\n',
  'keys/my-key.pem': 'not a key\n',
};

interface Entry {
  directory: string;
  file: string;
  arguments: string[];
  output?: string;
}

function database(dir: string): Entry[] {
  return JSON.parse(readFileSync(join(dir, 'compile_commands.json'), 'utf8')) as Entry[];
}

describe('compile_commands.json written by remote-gen', () => {
  it('lists remote compiles as the command the instance runs, local ones as they run, and nothing else', () => {
    const dir = makeProject({ 'build.remote.ts': DESCRIPTION, ...SOURCES });
    const gen = remoteGen(dir);
    assert.equal(gen.status, 0, gen.stderr);
    const root = realpathSync(dir);
    assert.deepEqual(database(dir), [
      {
        directory: root,
        file: join(root, 'src/hello.c'),
        output: 'hello.o',
        arguments: ['gcc', '-O2', '-DGREETING="hi there"', '-c', 'src/hello.c', 'hello.o'],
      },
      {
        directory: root,
        file: join(root, 'src/util.cpp'),
        output: 'build/util.o',
        arguments: ['g++', '-Isrc', '-c', 'src/util.cpp', '-o', 'build/util.o'],
      },
      {
        directory: root,
        file: join(root, 'src/arm.c'),
        output: 'arm.o',
        arguments: ['arm-linux-gnueabihf-gcc-12', '-c', 'src/arm.c', 'arm.o'],
      },
    ]);
  });

  it("is accepted by clang-check, which finds the remote compile's flags", () => {
    const dir = makeProject({ 'build.remote.ts': DESCRIPTION, ...SOURCES });
    assert.equal(remoteGen(dir).status, 0);
    // GREETING is defined only by the remote step's flags: without them the check fails.
    const files = ['src/hello.c', 'src/util.cpp'];
    const check = spawnSync('clang-check', ['-p', '.', ...files], { cwd: dir, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const bare = spawnSync('clang-check', ['src/hello.c', '--'], { cwd: dir, encoding: 'utf8' });
    assert.match(bare.stderr, /use of undeclared identifier 'GREETING'/);
  });

  it('holds argument arrays that, run without a shell, compile as the build does', () => {
    const dir = makeProject({ 'build.remote.ts': DESCRIPTION, ...SOURCES });
    assert.equal(remoteGen(dir).status, 0);
    // Local mode runs the remote step's command here, as the instance would.
    const build = spawnSync('ninja', ['build/hello'], {
      cwd: dir,
      encoding: 'utf8',
      env: withEnv(LOCAL),
    });
    assert.equal(build.status, 0, build.stdout + build.stderr);
    assert.equal(spawnSync(join(dir, 'build/hello'), { encoding: 'utf8' }).stdout, 'hi there\n');
    const built = readFileSync(join(dir, 'hello.o'));
    rmSync(join(dir, 'hello.o'));
    const {
      arguments: [compiler, ...args],
      directory,
      output,
    } = database(dir)[0]!;
    const direct = spawnSync(compiler!, args, { cwd: directory, encoding: 'utf8' });
    assert.equal(direct.status, 0, direct.stderr);
    assert.deepEqual(readFileSync(join(dir, output!)), built);
  });

  it('is not written with --no-compdb, also when ninja regenerates', () => {
    const dir = makeProject({ 'build.remote.ts': DESCRIPTION, ...SOURCES });
    assert.equal(remoteGen(dir, ['--no-compdb']).status, 0);
    assert.equal(existsSync(join(dir, 'compile_commands.json')), false);
    assert.match(
      readFileSync(join(dir, 'build.ninja'), 'utf8'),
      /--out build\.ninja --no-compdb\n/,
    );
  });

  it('refuses a step that builds compile_commands.json itself, naming it, and keeps the previous one', () => {
    const dir = makeProject({ 'build.remote.ts': DESCRIPTION, ...SOURCES });
    assert.equal(remoteGen(dir).status, 0);
    const previous = readFileSync(join(dir, 'compile_commands.json'));
    const step = "env.command({ target: 'compile_commands.json', action: 'echo [] > $TARGET' });";
    const own = `${DESCRIPTION}${step}\n`;
    writeFileSync(join(dir, 'build.remote.ts'), own);
    const gen = remoteGen(dir);
    assert.equal(gen.status, 1);
    assert.match(gen.stderr, /build\.remote\.ts:\d+: target 'compile_commands\.json' is reserved/);
    assert.deepEqual(readFileSync(join(dir, 'compile_commands.json')), previous);
    assert.equal(remoteGen(dir, ['--no-compdb']).status, 0);
  });
});
