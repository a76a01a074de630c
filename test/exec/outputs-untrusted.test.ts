import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { tempDir } from '../helpers/cli.js';
import { projectInstances, remoteExecAsync } from '../helpers/cloud.js';
import { configProjectsOnCloud } from '../helpers/remote-project.js';
import { craftedTar } from '../transport/crafted-tar.js';
import { instanceRoot } from '../transport/instance-faults.js';

// What comes back from the instance is untrusted: these jobs play a compromised instance, first with what any
// command can make as the login user, then (as root there would) by replacing the instance's tar.

const CRAFTED_TAR = `#!/bin/sh
[ "$1" = -cf ] && exec cat "$HOME/crafted.tar"
exec /usr/bin/tar "$@"
`;

describe('outputs from an untrusted instance', () => {
  const { cloud, env, project } = configProjectsOnCloud();
  let dir: string;
  const job = (args: string[]) => remoteExecAsync(dir, env(), ['--config', 'remote.json', ...args]);
  const refused = async (outputs: string[], command: string, reason: RegExp) => {
    const result = await job([...outputs.flatMap((output) => ['--out', output]), '--', command]);
    assert.equal(result.status, 255, result.stderr);
    assert.match(result.stderr, reason);
    assert.equal(result.stderr.split('\n').length, 2, `one line: ${result.stderr}`);
    for (const output of outputs)
      assert.ok(
        !existsSync(join(dir, output)) || lstatSync(join(dir, output)).isDirectory(),
        `${output} was not placed`,
      );
  };

  before(() => {
    dir = project({ 'data/a.txt': 'alpha\n' });
  });

  it('gives a setuid output the local user and the umask modes, keeping only its executable bit', async () => {
    const result = await job([
      '--out',
      'out/suid',
      '--out',
      'out/plain.txt',
      '--',
      'mkdir -p out && printf x > out/suid && chmod 6755 out/suid && echo p > out/plain.txt && chmod 666 out/plain.txt',
    ]);
    assert.equal(result.status, 0, result.stderr);
    const umask = parseInt(execFileSync('sh', ['-c', 'umask'], { encoding: 'utf8' }), 8);
    const suid = statSync(join(dir, 'out/suid'));
    assert.equal(suid.mode & 0o7777, 0o777 & ~umask);
    assert.equal(suid.uid, process.getuid!());
    assert.equal(suid.gid, process.getgid!());
    assert.equal(statSync(join(dir, 'out/plain.txt')).mode & 0o7777, 0o666 & ~umask);
  });

  it('refuses a FIFO output, naming it', async () => {
    await refused(
      ['out/fifo'],
      'mkdir -p out && mkfifo out/fifo',
      /^remote-exec: error: download from 127\.[\d.]+ refused 'out\/fifo': a FIFO/,
    );
  });

  it('refuses symbolic links that point outside the project or are absolute, and keeps those inside', async () => {
    await refused(
      ['s.txt'],
      'ln -s /etc/shadow s.txt',
      /refused 's\.txt': a symbolic link to '\/etc\/shadow', outside the project/,
    );
    await refused(
      ['d'],
      'ln -s ../../victim d',
      /refused 'd': a symbolic link to '\.\.\/\.\.\/victim', outside the project/,
    );
    await refused(
      ['gen'],
      'mkdir gen && ln -s ../.. gen/up',
      /refused 'gen\/up': a symbolic link to '\.\.\/\.\.', outside the project/,
    );
    const inside = await job([
      '--out',
      'out/link',
      '--',
      'mkdir -p out && ln -s ../data/a.txt out/link',
    ]);
    assert.equal(inside.status, 0, inside.stderr);
    assert.equal(readlinkSync(join(dir, 'out/link')), '../data/a.txt');
    assert.equal(readFileSync(join(dir, 'out/link'), 'utf8'), 'alpha\n');
  });

  it('never places an output through a symbolic link in its folder', async () => {
    const victim = tempDir();
    writeFileSync(join(victim, 'x'), 'precious\n');
    symlinkSync(victim, join(dir, 'linked'));
    const result = await job([
      '--out',
      'linked/x',
      '--',
      'mkdir -p linked && echo overwritten > linked/x',
    ]);
    assert.equal(result.status, 255);
    assert.equal(
      result.stderr,
      "remote-exec: error: cannot place output 'linked/x': 'linked' is a symbolic link, and outputs are never placed through one\n",
    );
    assert.equal(readFileSync(join(victim, 'x'), 'utf8'), 'precious\n');
  });

  it('uploads a symlinked input as its content, even when it points outside the project', async () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'shared.txt'), 'from outside\n');
    symlinkSync(join(outside, 'shared.txt'), join(dir, 'shared.txt'));
    const result = await job([
      '--in',
      'shared.txt',
      '--out',
      'copy.txt',
      '--',
      'test ! -L shared.txt && cp shared.txt copy.txt',
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readFileSync(join(dir, 'copy.txt'), 'utf8'), 'from outside\n');
  });

  it('keeps job folders and inputs on the instance to the login user, inputs read-only', async () => {
    mkdirSync(join(dir, 'tree'), { recursive: true });
    writeFileSync(join(dir, 'tree/t.txt'), 't\n');
    const result = await job([
      '--in',
      'data/a.txt',
      '--in',
      'tree',
      '--',
      'stat -c "%a %n" . data data/a.txt tree tree/t.txt',
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, '700 .\n700 data\n400 data/a.txt\n700 tree\n400 tree/t.txt\n');
  });

  describe('with tar replaced on the instance (root there)', () => {
    let home: string;
    before(async () => {
      assert.equal((await job(['--', 'true'])).status, 0);
      const [instance] = projectInstances(cloud(), dir);
      const root = instanceRoot(cloud(), instance!.instanceId);
      writeFileSync(join(root.bin, 'tar'), CRAFTED_TAR, { mode: 0o755 });
      home = root.home;
    });
    const serving = (entries: object[]) => craftedTar(join(home, 'crafted.tar'), entries);

    it('refuses device nodes, hard links and anything but files, folders and symbolic links', async () => {
      serving([{ name: 'out/mem', type: 'char', mode: 0o666, dev: [1, 1] }]);
      await refused(
        ['out/mem'],
        'mkdir -p out; touch out/mem',
        /refused 'out\/mem': a character device/,
      );
      serving([{ name: 'disk', type: 'block', mode: 0o660, dev: [8, 0] }]);
      await refused(['disk'], 'touch disk', /refused 'disk': a block device/);
      serving([
        { name: 'a.txt', type: 'file', data: 'a' },
        { name: 'b.txt', type: 'hardlink', link: 'a.txt' },
      ]);
      await refused(['a.txt', 'b.txt'], 'touch a.txt b.txt', /refused 'b\.txt': a hard link/);
    });

    it('extracts a root-owned setuid file as a plain file of the local user', async () => {
      serving([
        { name: 'out/suid-root', type: 'file', mode: 0o4755, uid: 4321, data: '#!/bin/sh\n' },
      ]);
      const result = await job([
        '--out',
        'out/suid-root',
        '--',
        'mkdir -p out; touch out/suid-root',
      ]);
      assert.equal(result.status, 0, result.stderr);
      const stat = statSync(join(dir, 'out/suid-root'));
      assert.equal(stat.mode & 0o7000, 0);
      assert.equal(stat.mode & 0o100, 0o100);
      assert.equal(stat.uid, process.getuid!());
    });

    it('refuses names outside the project and entries that were not asked for', async () => {
      serving([{ name: '../escape.txt', type: 'file', data: 'x' }]);
      await refused(
        ['o.txt'],
        'touch o.txt',
        /refused '\.\.\/escape\.txt': a path outside the project/,
      );
      serving([{ name: '/tmp/absolute.txt', type: 'file', data: 'x' }]);
      await refused(
        ['o.txt'],
        'touch o.txt',
        /refused '\/tmp\/absolute\.txt': a path outside the project/,
      );
      serving([
        { name: 'o.txt', type: 'file', data: 'x' },
        { name: 'other.txt', type: 'file', data: 'y' },
      ]);
      await refused(['o.txt'], 'touch o.txt', /refused 'other\.txt': not a declared output/);
      assert.ok(!existsSync(join(dir, 'other.txt')));
    });

    it('never writes through a symbolic link the archive made', async () => {
      serving([
        { name: 'd', type: 'symlink', link: 'data' },
        { name: 'd/a.txt', type: 'file', data: 'overwritten' },
      ]);
      await refused(['d'], 'touch d', /refused 'd\/a\.txt': 'd' is a symbolic link/);
      assert.equal(readFileSync(join(dir, 'data/a.txt'), 'utf8'), 'alpha\n');
    });
  });
});
