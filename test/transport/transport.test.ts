import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { connect, type SshTarget, type Transport } from '../../src/transport/index.js';
import { tempDir } from '../helpers/cli.js';
import { testCloud } from '../helpers/cloud.js';
import { launchInstance } from './instance-faults.js';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({ write: (chunk, _encoding, done) => ((text += chunk), done()) }),
    text: () => text,
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const ODD_NAMES = [
  'plain.txt',
  'with space.txt',
  "quote's.txt",
  '-leading-dash.txt',
  'nested/deeper/empty.txt',
  'nested/binary.bin',
];

describe('transport over ssh2 to a real sshd', () => {
  let cloud: Cloud;
  let target: SshTarget;
  let transport: Transport;

  before(async () => {
    cloud = await testCloud();
    ({ target } = await launchInstance(cloud));
    transport = await connect(target);
  });
  after(async () => {
    await transport.close();
    await cloud.stop();
  });

  it('runs commands with their output and exit status', async () => {
    const out = sink();
    const err = sink();
    assert.equal(
      await transport.exec('echo out; echo err >&2; exit 3', {
        stdout: out.stream,
        stderr: err.stream,
      }),
      3,
    );
    assert.equal(out.text(), 'out\n');
    assert.equal(err.text(), 'err\n');
    assert.equal(await transport.exec('no-such-command-here'), 127);
    assert.equal(await transport.exec('kill -TERM $$'), 143);
    assert.match(transport.hostKey, /^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('round-trips a tree byte for byte, with odd names, the executable bit, empty files and symlinks as content, hard links as files', async () => {
    const local = tempDir();
    mkdirSync(join(local, 'nested/deeper'), { recursive: true });
    for (const name of ODD_NAMES)
      writeFileSync(
        join(local, name),
        name.endsWith('.bin')
          ? Buffer.from([0, 255, 10, 13, 0])
          : name.includes('empty')
            ? ''
            : `content of ${name}\n`,
      );
    chmodSync(join(local, 'plain.txt'), 0o751);
    symlinkSync('plain.txt', join(local, 'link'));
    await transport.put(
      local,
      ['plain.txt', 'with space.txt', "quote's.txt", '-leading-dash.txt', 'nested', 'link'],
      'transfer/in',
    );
    assert.equal(
      await transport.exec(
        'cd transfer/in && test ! -L link && ln -s plain.txt made-link && ln plain.txt hard.txt',
      ),
      0,
    );
    const back = tempDir();
    const { missing } = await transport.get(
      'transfer/in',
      [
        'plain.txt',
        'with space.txt',
        "quote's.txt",
        '-leading-dash.txt',
        'nested',
        'link',
        'made-link',
        'hard.txt',
        'absent.txt',
      ],
      back,
    );
    assert.deepEqual(missing, ['absent.txt']);
    for (const name of [...ODD_NAMES, 'link'])
      assert.deepEqual(readFileSync(join(back, name)), readFileSync(join(local, name)), name);
    const umask = parseInt(execFileSync('sh', ['-c', 'umask'], { encoding: 'utf8' }), 8);
    assert.equal(statSync(join(back, 'plain.txt')).mode & 0o7777, 0o777 & ~umask);
    assert.equal(statSync(join(back, 'with space.txt')).mode & 0o7777, 0o666 & ~umask);
    assert.equal(readlinkSync(join(back, 'made-link')), 'plain.txt');
    assert.deepEqual(
      readFileSync(join(back, 'hard.txt')),
      readFileSync(join(local, 'plain.txt')),
      'a hard link comes back as a file',
    );
  });

  it('round-trips a file many SSH windows long and a thousand small files, byte for byte', async () => {
    // Uploads run only part of the window ahead of sshd (send-ahead.ts): this one needs many of the
    // instance's window adjustments to arrive, and so would hang if the cap kept them from coming.
    const local = tempDir();
    writeFileSync(join(local, 'large.bin'), randomBytes(12 * 1024 * 1024));
    mkdirSync(join(local, 'many'));
    for (let i = 0; i < 1000; i++) writeFileSync(join(local, `many/${i}.txt`), randomBytes(4096));
    await transport.put(local, ['large.bin', 'many'], 'transfer/big');
    const back = tempDir();
    await transport.get('transfer/big', ['large.bin', 'many'], back);
    assert.deepEqual(readFileSync(join(back, 'large.bin')), readFileSync(join(local, 'large.bin')));
    for (let i = 0; i < 1000; i++) {
      const name = `many/${i}.txt`;
      assert.deepEqual(readFileSync(join(back, name)), readFileSync(join(local, name)), name);
    }
  });

  it('reports every path as missing, without failing, when none exists', async () => {
    const { missing } = await transport.get('transfer/nowhere', ['a', 'b'], tempDir());
    assert.deepEqual(missing, ['a', 'b']);
  });

  it('fails authentication at once, naming the user and the key', async () => {
    const other = cloud.addKeyPair('wrong-key');
    const retried: number[] = [];
    await assert.rejects(
      connect(
        { ...target, sshArgs: { username: 'ubuntu', privateKeyPath: other.privateKeyPath } },
        { retries: 3, onRetry: (n) => retried.push(n) },
      ),
      {
        message: `ssh: authentication failed for user 'ubuntu' at ${target.host} with key ${other.privateKeyPath}`,
      },
    );
    assert.deepEqual(retried, []);
  });

  it('retries an unreachable host with backoff, then gives up in one line', async () => {
    const port = await freePort();
    const retried: number[] = [];
    await assert.rejects(
      connect(
        { host: '127.0.0.1', sshArgs: { username: 'ubuntu', port } },
        { retries: 2, firstDelayMs: 10, onRetry: (n) => retried.push(n) },
      ),
      {
        message: `ssh: 127.0.0.1:${port} unreachable after 3 attempts (ECONNREFUSED)`,
      },
    );
    assert.deepEqual(retried, [1, 2]);
  });

  it('refuses a host whose key does not match the pinned fingerprint', async () => {
    const pinned = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    await assert.rejects(connect({ ...target, hostKeys: [pinned] }), {
      message: `ssh: host key of ${target.host} is ${transport.hostKey}, expected ${pinned}; refusing to connect`,
    });
    const again = await connect({ ...target, hostKeys: [transport.hostKey] });
    await again.close();
  });
});
