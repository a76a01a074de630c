import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { REMOTE_EXEC } from '../helpers/cli.js';

describe('remote-exec cloud', () => {
  it('prints the endpoint and the settings to use, and stops everything on Ctrl-C', async () => {
    const child = spawn(process.execPath, [REMOTE_EXEC, 'cloud', '--boot-delay-ms', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk;
        if (output.includes('Press Ctrl-C')) resolve();
      });
    });
    assert.match(output, /^Emulated EC2 listening at http:\/\/127\.0\.0\.1:\d+ \(region us-east-1\)/);
    assert.match(output, /export AWS_ENDPOINT_URL_EC2=http:\/\/127\.0\.0\.1:\d+/);
    assert.match(output, /export AWS_ACCESS_KEY_ID=\S+/);
    assert.match(output, /instanceArgs: \{ ImageId: 'ami-[0-9a-f]+', InstanceType: 't2\.micro', KeyName: 'emulator-key'/);
    assert.match(output, /sshArgs: {6}\{ username: 'ubuntu', privateKeyPath: '\/\S+\.pem' \}/);
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
    assert.match(output, /Emulated cloud stopped\.\n$/);
  });
});
