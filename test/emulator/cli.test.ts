import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REMOTE_EXEC, tempDir, withEnv } from '../helpers/cli.js';

/** The cloud CLI, with a cache folder of its own unless `env` names one. */
function cloudCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const cache = { XDG_CACHE_HOME: tempDir(), ...env };
  return spawn(process.execPath, [REMOTE_EXEC, 'cloud', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: withEnv(cache),
  });
}

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function untilPrinted(child: ReturnType<typeof spawn>, text: string): Promise<string> {
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      if (output.includes(text)) resolve();
    });
    child.once('exit', () => reject(new Error(`exited before printing ${text}: ${output}`)));
  });
  return output;
}

const exitCode = (child: ReturnType<typeof spawn>) =>
  new Promise((resolve) => child.once('exit', resolve));

describe('remote-exec cloud', () => {
  it('prints the endpoint and the settings to use, and stops everything on Ctrl-C', async () => {
    const child = cloudCli(['--boot-delay-ms', '100']);
    const output = await untilPrinted(child, 'Press Ctrl-C');
    assert.match(
      output,
      /^Emulated EC2 listening at http:\/\/127\.0\.0\.1:\d+ \(region us-east-1\)/,
    );
    assert.match(output, /export AWS_ENDPOINT_URL_EC2=http:\/\/127\.0\.0\.1:\d+/);
    assert.match(output, /export AWS_ACCESS_KEY_ID=\S+/);
    assert.match(
      output,
      /instanceArgs: \{ ImageId: 'ami-[0-9a-f]+', InstanceType: 't2\.micro', KeyName: 'emulator-key'/,
    );
    assert.match(output, /sshArgs: {6}\{ username: 'ubuntu', privateKeyPath: '\/\S+\.pem' \}/);
    child.kill('SIGINT');
    assert.equal(await exitCode(child), 0);
  });

  it('keeps its keys in --cloud-dir, and stops on SIGTERM', async () => {
    const stateDir = tempDir();
    const child = cloudCli(['--boot-delay-ms', '50', '--cloud-dir', stateDir]);
    const output = await untilPrinted(child, 'Press Ctrl-C');
    const key = join(stateDir, 'keys', 'emulator-key.pem');
    assert.ok(output.includes(`privateKeyPath: '${key}'`));
    assert.match(
      output,
      /clientArgs: {3}\{ region: 'us-east-1', endpoint: 'http:\/\/127\.0\.0\.1:\d+' \}/,
    );
    assert.equal(statSync(key).mode & 0o777, 0o600);
    const secret = /export AWS_SECRET_ACCESS_KEY=(\S+)/.exec(output)![1]!;
    const files = readdirSync(stateDir, { recursive: true, withFileTypes: true }).filter((entry) =>
      entry.isFile(),
    );
    assert.ok(
      files.every(
        (file) => !readFileSync(join(file.parentPath, file.name), 'utf8').includes(secret),
      ),
      'credentials are printed, never written',
    );
    child.kill('SIGTERM');
    assert.equal(await exitCode(child), 0);
    assert.ok(existsSync(key), 'a folder the user named is kept');
  });

  it('listens on --port, and by default keeps its keys in the cache folder, the same after a restart', async () => {
    const cache = tempDir();
    const port = await freePort();
    const key = join(cache, 'scons-remote', 'cloud', 'keys', 'emulator-key.pem');
    const first = cloudCli(['--port', String(port)], { XDG_CACHE_HOME: cache });
    const output = await untilPrinted(first, 'Press Ctrl-C');
    assert.match(output, new RegExp(`^Emulated EC2 listening at http://127\\.0\\.0\\.1:${port} `));
    assert.ok(output.includes(`privateKeyPath: '${key}'`), output);
    const keyBytes = readFileSync(key);
    first.kill('SIGINT');
    assert.equal(await exitCode(first), 0);
    const second = cloudCli(['--port', String(port)], { XDG_CACHE_HOME: cache });
    assert.ok((await untilPrinted(second, 'Press Ctrl-C')).includes(`privateKeyPath: '${key}'`));
    assert.deepEqual(readFileSync(key), keyBytes, 'profiles written for the first run still hold');
    const busy = cloudCli(['--port', String(port)], { XDG_CACHE_HOME: cache });
    let stderr = '';
    busy.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    assert.equal(await exitCode(busy), 255);
    assert.equal(stderr, `remote-exec: error: cloud: port ${port} on 127.0.0.1 is in use\n`);
    second.kill('SIGINT');
    assert.equal(await exitCode(second), 0);
  });

  it('answers --help and refuses unknown flags', async () => {
    const help = cloudCli(['--help']);
    const output = await untilPrinted(help, '--cloud-dir');
    assert.match(output, /--boot-delay-ms/);
    assert.match(output, /--port/);
    assert.doesNotMatch(output, /--profile|--config|--state-dir/, 'only the options of cloud');
    assert.equal(await exitCode(help), 0);
    const wrong = cloudCli(['--no-such-flag']);
    let stderr = '';
    wrong.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    assert.equal(await exitCode(wrong), 255);
    assert.match(stderr, /Unknown argument/);
  });
});
