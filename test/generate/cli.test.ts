import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { LOCAL, makeProject, ninja, remoteGen, run } from '../helpers/cli.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSC = join(PACKAGE_ROOT, 'node_modules/typescript/bin/tsc');

describe('remote-gen options', () => {
  it('prints its version with --version', () => {
    const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const shown = remoteGen(makeProject({}), ['--version']);
    assert.equal(shown.status, 0, shown.stderr);
    assert.equal(shown.stdout, `${version}\n`);
  });

  it('prints help with -h and --help, no word broken across lines', () => {
    for (const flag of ['-h', '--help']) {
      const help = remoteGen(makeProject({}), [flag]);
      assert.equal(help.status, 0, help.stderr);
      const flowed = help.stdout.replace(/\s+/g, ' ');
      assert.match(
        flowed,
        /Compiles a TypeScript build description into build\.ninja; then run `ninja`\./,
      );
      assert.match(
        flowed,
        /remote-gen init .*Write a starting build\.remote\.ts and the tsconfig\.json an editor needs/,
      );
      for (const line of help.stdout.split('\n'))
        assert.ok(line.length <= 80, `line longer than 80 columns: ${line}`);
    }
  });
});

describe('remote-gen init', () => {
  it('writes a description that builds, and a tsconfig.json with which tsc (as an editor) accepts it', () => {
    const dir = makeProject({});
    const init = remoteGen(dir, ['init']);
    assert.equal(init.status, 0, init.stderr);
    assert.match(init.stderr, /^remote-gen: wrote build\.remote\.ts and tsconfig\.json/);
    assert.match(
      init.stderr,
      /\nremote-gen: for your editor to see the types: npm link scons-remote/,
    );
    assert.equal(remoteGen(dir).status, 0);
    const build = ninja(dir, [], LOCAL);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    assert.equal(readFileSync(join(dir, 'hello.txt'), 'utf8'), 'hello\n');

    // What `npm install`/`npm link scons-remote` gives an editor: the package under node_modules.
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(PACKAGE_ROOT, join(dir, 'node_modules/scons-remote'));
    const check = run(process.execPath, [TSC, '-p', '.'], dir);
    assert.equal(check.status, 0, check.stdout + check.stderr);
  });

  it('refuses to overwrite an existing file and writes nothing', () => {
    const dir = makeProject({ 'tsconfig.json': '{}\n' });
    const init = remoteGen(dir, ['init']);
    assert.equal(init.status, 1);
    assert.equal(
      init.stderr,
      'remote-gen: error: tsconfig.json already exists; remote-gen init writes only new files, so it wrote nothing\n',
    );
    assert.equal(readFileSync(join(dir, 'tsconfig.json'), 'utf8'), '{}\n');
    assert.throws(() => readFileSync(join(dir, 'build.remote.ts')));
  });
});

describe('remote-gen progress', () => {
  it('says what it is doing when stderr is a terminal, and nothing of it otherwise', () => {
    const dir = makeProject({
      'build.remote.ts':
        "import { EnvironmentRemote } from 'scons-remote';\nnew EnvironmentRemote();\n",
    });
    writeFileSync(
      join(dir, 'gen.sh'),
      `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(PACKAGE_ROOT, 'dist/shim/remote-gen.js'))}\n`,
    );
    // script(1) runs the command on a pseudo-terminal, as a person at a terminal would.
    const onTerminal = run('script', ['-qec', 'sh gen.sh', '/dev/null'], dir);
    assert.equal(onTerminal.status, 0, onTerminal.stdout);
    assert.match(
      onTerminal.stdout,
      /remote-gen: type-checking build\.remote\.ts\r?\nremote-gen: running build\.remote\.ts\r?\n/,
    );
    const piped = remoteGen(dir);
    assert.doesNotMatch(piped.stderr, /type-checking/);
  });
});
