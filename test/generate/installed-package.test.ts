import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeProject, run, tempDir } from '../helpers/cli.js';

// The package as a user gets it: packed by npm, unpacked into a project's node_modules beside its runtime
// dependencies only: the packages this repository's lock file does not mark as dev, hard-linked from
// this repository's node_modules (npm's cache here does not hold every one for an offline install).

const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));

function userProject(tarball: string, description: string): string {
  const dir = makeProject({ 'build.remote.ts': description, 'keys/key.pem': '' });
  const lock = JSON.parse(readFileSync(join(REPOSITORY, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  // Top-level packages; the folders nested in them are their own runtime dependencies.
  const runtime = Object.entries(lock.packages)
    .filter(([path, entry]) => path.split('node_modules/').length === 2 && !entry.dev)
    .map(([path]) => path);
  for (const path of runtime) {
    if (!existsSync(join(REPOSITORY, path))) continue; // an optional package for another platform
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    const link = run('cp', ['-al', join(REPOSITORY, path) + '/', join(dir, path)], dir);
    assert.equal(link.status, 0, link.stderr);
  }
  const own = join(dir, 'node_modules/scons-remote');
  mkdirSync(own);
  const unpack = run('tar', ['-xzf', tarball, '-C', own, '--strip-components=1'], dir);
  assert.equal(unpack.status, 0, unpack.stderr);
  return dir;
}

const DESCRIPTION = (sshArgs: string): string => `import { EnvironmentRemote } from 'scons-remote';
const env = new EnvironmentRemote({ ENV: process.env });
env.connectionInitialize({ region: 'us-west-2' }, { ImageId: 'ami-1', MinCount: 1, MaxCount: 1 }, ${sshArgs});
env.commandRemote({ target: 'out.txt', action: env.actionRemote({ cmd: 'date' }) });
`;

describe('remote-gen installed as a package', () => {
  it('type-checks with nothing but its runtime dependencies', () => {
    const packs = tempDir();
    const packFlags = ['--ignore-scripts', '--json', '--pack-destination', packs];
    const packing = run('npm', ['pack', ...packFlags], REPOSITORY);
    assert.equal(packing.status, 0, packing.stderr);
    const [{ filename }] = JSON.parse(packing.stdout) as [{ filename: string }];
    const dir = userProject(join(packs, filename), DESCRIPTION("{ usename: 'ubuntu' }"));
    for (const devOnly of ['@types/ssh2', '@types/yargs', 'eslint', 'prettier'])
      assert.ok(!existsSync(join(dir, 'node_modules', devOnly)), `${devOnly} was installed`);

    const remoteGen = ['node_modules/scons-remote/dist/shim/remote-gen.js'];
    const gen = run(process.execPath, remoteGen, dir);
    assert.equal(gen.status, 1);
    assert.match(
      gen.stderr,
      /build\.remote\.ts:3:101: error TS2561: .* 'usename' does not exist in type 'SshArgs'\. Did you mean to write 'username'\?/,
    );
    writeFileSync(
      join(dir, 'build.remote.ts'),
      DESCRIPTION("{ username: 'ubuntu', privateKeyPath: 'keys/key.pem' }"),
    );
    const fixed = run(process.execPath, remoteGen, dir);
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.match(readFileSync(join(dir, 'build.ninja'), 'utf8'), /^build out\.txt: remote/m);
  });
});
