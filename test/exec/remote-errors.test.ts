import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { tempDir } from '../helpers/cli.js';
import { cloudEnv, liveInstances, remoteExecAsync, testCloud } from '../helpers/cloud.js';
import { configProject, type RemoteConfigOptions } from '../helpers/remote-project.js';

describe('remote-exec errors a user will meet', () => {
  let cloud: Cloud;
  const attempt = async (options: RemoteConfigOptions, envChanges: NodeJS.ProcessEnv = {}) => {
    const dir = configProject(cloud, {}, options);
    const result = await remoteExecAsync(dir, cloudEnv(cloud, envChanges), [
      '--config',
      'remote.json',
      '--',
      'true',
    ]);
    assert.equal(result.status, 255);
    // A launch is always announced; the error is the one line after it.
    const lines = result.stderr
      .split('\n')
      .filter((line) => line && !line.startsWith('remote-exec: launching '));
    assert.equal(lines.length, 1, result.stderr);
    return lines[0]!;
  };

  before(async () => {
    cloud = await testCloud();
  });
  after(async () => {
    await remoteExecAsync(tempDir(), cloudEnv(cloud), ['down', '--all']);
    assert.deepEqual(liveInstances(cloud), []);
    await cloud.stop();
  });

  it('no credentials', async () => {
    const home = tempDir();
    const message = await attempt(
      {},
      {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
      },
    );
    assert.match(
      message,
      /^remote-exec: error: launching the instance: no AWS credentials found \(set AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run aws sso login\)$/,
    );
  });

  it('credentials AWS rejects', async () => {
    assert.match(
      await attempt({}, { AWS_ACCESS_KEY_ID: 'AKIASOMEONEELSE00000' }),
      /^remote-exec: error: launching the instance: AWS rejected the credentials \(AuthFailure\)/,
    );
  });

  it('an unknown region, refused before any request', async () => {
    const message = await attempt(
      { clientArgs: { region: 'mars-north-1' } },
      { AWS_ENDPOINT_URL_EC2: undefined, AWS_REGION: undefined },
    );
    assert.equal(
      message,
      "remote-exec: error: unknown AWS region 'mars-north-1' (from clientArgs.region or AWS_REGION)",
    );
  });

  it('an AMI that does not exist', async () => {
    assert.match(
      await attempt({ instanceArgs: { ImageId: 'ami-00000000000000000' } }),
      /^remote-exec: error: launching the instance: AMI not found: check instanceArgs\.ImageId and the region/,
    );
  });

  it('a key pair that does not exist', async () => {
    assert.match(
      await attempt({ instanceArgs: { KeyName: 'nobodys-key' } }),
      /^remote-exec: error: launching the instance: key pair not found: check instanceArgs\.KeyName/,
    );
  });

  it('no capacity, after the SDK retried', async () => {
    const sdkAttempts = 3;
    cloud.injectFault('RunInstances', 'InsufficientInstanceCapacity', sdkAttempts);
    assert.match(
      await attempt({}),
      /^remote-exec: error: launching the instance: AWS has no t2\.micro capacity in the availability zone AWS chose \(3 attempts\); try another instanceArgs\.InstanceType/,
    );
    assert.equal(
      cloud.calls().filter((call) => call.error === 'InsufficientInstanceCapacity').length,
      sdkAttempts,
      'the SDK retried',
    );
  });

  it('an SSH key the instance does not accept, naming user and key', async () => {
    const wrong = cloud.addKeyPair('not-authorized');
    const message = await attempt({ sshArgs: { privateKeyPath: wrong.privateKeyPath } });
    assert.match(
      message,
      new RegExp(
        `^remote-exec: error: ssh: authentication failed for user 'ubuntu' at 127\\.\\d+\\.\\d+\\.\\d+ with key ${wrong.privateKeyPath}; terminated i-\\w+ \\(set options\\.keepOnFailure to keep it\\)$`,
      ),
    );
  });

  it('a new instance SSH cannot reach after the retries (port blocked), terminated', async () => {
    const message = await attempt({ sshRetries: 1, sshArgs: { port: 2222 } });
    assert.match(
      message,
      /^remote-exec: error: ssh: 127\.\d+\.\d+\.\d+:2222 unreachable after 2 attempts \(ECONNREFUSED\); terminated i-\w+ \(set options\.keepOnFailure to keep it\)$/,
    );
  });

  it('a config file that is not there, or not valid', async () => {
    const dir = tempDir();
    const result = await remoteExecAsync(dir, cloudEnv(cloud), [
      '--config',
      'remote.json',
      '--',
      'true',
    ]);
    assert.equal(result.stderr, 'remote-exec: error: remote.json: no such remote-exec config\n');
  });
});
