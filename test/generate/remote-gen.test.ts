import assert from 'node:assert/strict';
import {
  existsSync,
  readFileSync,
  readdirSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LOCAL, makeProject, ninja, remoteGen } from '../helpers/cli.js';

const DESCRIPTION = `import { EnvironmentRemote } from 'scons-remote';
import { upper } from './lib/commands.ts';

const env = new EnvironmentRemote({ ENV: { ...process.env, GREETING: 'hello there' } });
env.connectionInitialize(
  { region: 'us-west-2' },
  { ImageId: 'ami-0123456789abcdef0', InstanceType: 't2.large', KeyName: 'my-key', MinCount: 1, MaxCount: 1 },
  { username: 'ubuntu', privateKeyPath: 'keys/my-key.pem' },
  { jobs: 3 },
);
env.command({ target: 'out/upper.txt', source: 'in/a.txt', action: upper });
env.command({ target: 'greeting.txt', action: 'printf "%s" "$GREETING" > $TARGET' });
env.commandRemote({
  target: 'out/decoded.txt',
  source: ['decode.py', 'out/upper.txt', env.value('a value')],
  action: env.actionRemote({ cmd: 'python3', cmdArgs: ['-B'] }),
});
env.alias('all', ['out/decoded.txt', 'greeting.txt']);
env.default('all');
`;

const DECODER = `import sys
*inputs, value, target = sys.argv[1:]
with open(target, 'w') as out:
    out.write(open(inputs[0]).read().lower() + value + '\\n')
`;

function project(extra: Record<string, string> = {}): string {
  return makeProject({
    'build.remote.ts': DESCRIPTION,
    'lib/commands.ts': "export const upper = 'tr a-z A-Z < $SOURCE > $TARGET';\n",
    'in/a.txt': 'some text',
    'decode.py': DECODER,
    'keys/my-key.pem':
      '-----BEGIN OPENSSH PRIVATE KEY-----\nNOT-A-REAL-KEY-MATERIAL\n-----END OPENSSH PRIVATE KEY-----\n',
    ...extra,
  });
}

function generated(dir: string): string {
  const gen = remoteGen(dir);
  assert.equal(gen.status, 0, gen.stderr);
  return readFileSync(join(dir, 'build.ninja'), 'utf8');
}

describe('remote-gen', () => {
  it('writes a build.ninja that ninja accepts, with the remote edge going through remote-exec in a sized pool', () => {
    const dir = project();
    const manifest = generated(dir);
    const dryRun = ninja(dir, ['-n']);
    assert.equal(dryRun.status, 0, dryRun.stderr);
    assert.match(dryRun.stdout, /REMOTE out\/decoded\.txt/);
    const query = ninja(dir, ['-t', 'query', 'out/decoded.txt']);
    assert.equal(query.status, 0, query.stderr);
    assert.match(query.stdout, /input: remote_[0-9a-f]{12}\n\s+decode\.py\n\s+out\/upper\.txt/);
    const commands = ninja(dir, ['-t', 'commands', 'out/decoded.txt']).stdout;
    assert.match(
      commands,
      /shim\/remote-exec --profile [0-9a-f]{12} --in=decode\.py --in=out\/upper\.txt --out=out\/decoded\.txt -- 'python3 -B decode\.py out\/upper\.txt '\\''a value'\\'' out\/decoded\.txt'/,
    );
    assert.match(manifest, /^pool remote_[0-9a-f]{12}\n {2}depth = 3$/m);
    // The shim and profile are the rule's, written once however many steps use them.
    assert.equal(manifest.match(/shim\/remote-exec --profile/g)?.length, 1);
  });

  it('builds everything in local mode, and switching the mode afterwards rebuilds nothing', () => {
    const dir = project();
    generated(dir);
    const build = ninja(dir, [], LOCAL);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    assert.equal(readFileSync(join(dir, 'out/upper.txt'), 'utf8'), 'SOME TEXT');
    assert.equal(readFileSync(join(dir, 'out/decoded.txt'), 'utf8'), 'some texta value\n');
    assert.equal(readFileSync(join(dir, 'greeting.txt'), 'utf8'), 'hello there');
    for (const mode of [{}, { SCONS_REMOTE_MODE: 'remote' }, { SCONS_REMOTE_MODE: 'LOCAL' }]) {
      const again = ninja(dir, [], mode);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /ninja: no work to do/);
    }
  });

  it('regenerates build.ninja when the description or a file it imports changes', () => {
    const dir = project();
    generated(dir);
    assert.equal(ninja(dir, [], LOCAL).status, 0);
    const later = new Date(Date.now() + 5_000);
    writeFileSync(
      join(dir, 'lib/commands.ts'),
      "export const upper = 'tr a-z A-Z < $SOURCE > $TARGET && echo changed >> $TARGET';\n",
    );
    utimesSync(join(dir, 'lib/commands.ts'), later, later);
    const build = ninja(dir, [], LOCAL);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    assert.match(build.stdout, /regenerating build\.ninja/);
    assert.equal(readFileSync(join(dir, 'out/upper.txt'), 'utf8'), 'SOME TEXTchanged\n');
    assert.match(ninja(dir, [], LOCAL).stdout, /no work to do/);
  });

  it('escapes paths with spaces, dollars and colons for ninja and the shell', () => {
    const dir = makeProject({
      'build.remote.ts': `import { EnvironmentRemote } from 'scons-remote';
const env = new EnvironmentRemote();
env.command({ target: 'odd dir/out $1:x.txt', source: "in put's.txt", action: 'cat $SOURCES > $TARGETS' });
env.command({ target: 'copy.txt', source: 'odd dir/out $1:x.txt', action: ['cp $SOURCE $TARGET', 'echo "$$HOME" > /dev/null'] });
`,
      "in put's.txt": 'quoted\n',
    });
    generated(dir);
    const build = ninja(dir, [], LOCAL);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    assert.equal(readFileSync(join(dir, 'odd dir/out $1:x.txt'), 'utf8'), 'quoted\n');
    assert.equal(readFileSync(join(dir, 'copy.txt'), 'utf8'), 'quoted\n');
    assert.match(ninja(dir).stdout, /no work to do/);
  });

  it('expands source globs against files and targets of other steps', () => {
    const dir = makeProject({
      'build.remote.ts': `import { EnvironmentRemote } from 'scons-remote';
const env = new EnvironmentRemote();
env.command({ target: 'parts/c.txt', action: 'echo c > $TARGET' });
env.command({ target: 'all.txt', source: 'parts/*.txt', action: 'cat $SOURCES > $TARGET' });
`,
      'parts/a.txt': 'a\n',
      'parts/b.txt': 'b\n',
    });
    generated(dir);
    assert.equal(ninja(dir, [], LOCAL).status, 0);
    assert.equal(readFileSync(join(dir, 'all.txt'), 'utf8'), 'a\nb\nc\n');
  });

  it('writes no secrets: no inherited environment values, no key material, no credentials', () => {
    const dir = project();
    const secret = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
    const gen = remoteGen(dir, [], { AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: secret });
    assert.equal(gen.status, 0, gen.stderr);
    const written = [join(dir, 'build.ninja'), ...listFiles(join(dir, '.scons-remote'))];
    for (const file of written) {
      const text = readFileSync(file, 'utf8');
      assert.ok(!text.includes(secret), `${file} holds an inherited secret`);
      assert.ok(!text.includes('NOT-A-REAL-KEY-MATERIAL'), `${file} holds key material`);
    }
    assert.match(readFileSync(join(dir, 'build.ninja'), 'utf8'), /export GREETING='hello there'/);
  });

  it('honours -C, -f and --out', () => {
    const dir = makeProject({
      'sub/other.remote.ts':
        "import { EnvironmentRemote } from 'scons-remote';\nnew EnvironmentRemote().command({ target: 'x.txt', action: 'echo x > $TARGET' });\n",
    });
    const gen = remoteGen(dir, ['-C', 'sub', '-f', 'other.remote.ts', '--out', 'other.ninja']);
    assert.equal(gen.status, 0, gen.stderr);
    assert.ok(existsSync(join(dir, 'sub/other.ninja')));
    assert.equal(ninja(join(dir, 'sub'), ['-f', 'other.ninja'], LOCAL).status, 0);
    assert.equal(readFileSync(join(dir, 'sub/x.txt'), 'utf8'), 'x\n');
  });
});

/** The files under `dir` that hold data (not the type-checker's socket). */
function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) return listFiles(path);
    return stat.isFile() ? [path] : [];
  });
}
