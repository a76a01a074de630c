import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import {
  cloudEnv,
  copyOf,
  DECODE_EXAMPLE,
  liveInstances,
  ninjaAsync,
  projectInstances,
  remoteExecAsync,
  remoteGenAsync,
  testCloud,
  instanceStateFile,
} from '../helpers/cloud.js';
import { configProject } from '../helpers/remote-project.js';

/** The decode example, its connection arguments naming the endpoint (and a second profile when `twoProfiles`). */
function decodeProject(cloud: Cloud, twoProfiles = false): string {
  const dir = copyOf(DECODE_EXAMPLE);
  const path = join(dir, 'build.remote.ts');
  let description = readFileSync(path, 'utf8').replace(
    "{ region: process.env.DECODE_REGION ?? 'us-west-2' }",
    `{ region: '${cloud.region}', endpoint: '${cloud.endpoint}' }`,
  );
  if (twoProfiles) {
    description +=
      "\nenv.commandRemote({ target: 'big.txt', source: ['decode.py', 'message.txt', env.value(1)], action: env.actionRemote({ cmd: 'python3' }), instanceArgs: { InstanceType: 'c5.large' } });\n";
  }
  writeFileSync(path, description);
  return dir;
}

describe('teardown and status always work', () => {
  let cloud: Cloud;
  let env: NodeJS.ProcessEnv;
  const exec = (dir: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    remoteExecAsync(dir, { ...env, ...extraEnv }, args);

  before(async () => {
    cloud = await testCloud();
    env = cloudEnv(cloud);
  });
  after(async () => {
    assert.deepEqual(liveInstances(cloud), [], 'every test ends with no instance left');
    await cloud.stop();
  });

  it('down forgets an instance AWS no longer knows, or knows as terminated, and exits 0', async () => {
    const dir = configProject(cloud);
    assert.equal((await exec(dir, ['--config', 'remote.json', '--', 'true'])).status, 0);
    const [instance] = projectInstances(cloud, dir);
    const path = instanceStateFile(dir);
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace(instance!.instanceId, 'i-0123456789abcdef0'),
    );
    const unknown = await exec(dir, ['--config', 'remote.json', 'down']);
    assert.equal(unknown.status, 0, unknown.stderr);
    assert.match(
      unknown.stderr,
      /i-0123456789abcdef0 \(\w+\) is already gone: AWS no longer knows it; forgotten/,
    );
    assert.match(
      unknown.stderr,
      new RegExp(`terminated ${instance!.instanceId}`),
      'found by its tags',
    );
    assert.ok(!existsSync(path));
    assert.equal((await exec(dir, ['--config', 'remote.json', '--', 'true'])).status, 0);
    const [second] = projectInstances(cloud, dir);
    await cloud.terminateBehindBack(second!.instanceId);
    const terminated = await exec(dir, ['--config', 'remote.json', 'down']);
    assert.equal(terminated.status, 0, terminated.stderr);
    assert.match(
      terminated.stderr,
      new RegExp(`${second!.instanceId} \\(\\w+\\) is already terminated; forgotten`),
    );
    assert.match(
      (await exec(dir, ['--config', 'remote.json', 'down'])).stderr,
      /^remote-exec: [0-9a-f]{12}: no instance\n$/,
    );
  });

  it('status and down need AWS, not the SSH key', async () => {
    const dir = configProject(cloud);
    mkdirSync(join(dir, 'keys'));
    copyFileSync(cloud.keyPair.privateKeyPath, join(dir, 'keys/k.pem'));
    const config = JSON.parse(readFileSync(join(dir, 'remote.json'), 'utf8'));
    writeFileSync(
      join(dir, 'remote.json'),
      JSON.stringify({ ...config, sshArgs: { ...config.sshArgs, privateKeyPath: 'keys/k.pem' } }),
    );
    assert.equal((await exec(dir, ['--config', 'remote.json', '--', 'true'])).status, 0);
    rmSync(join(dir, 'keys/k.pem'));
    const status = await exec(dir, ['--config', 'remote.json', 'status']);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /: i-\w+ at 127\.\S+, running/);
    const down = await exec(dir, ['--config', 'remote.json', 'down']);
    assert.equal(down.status, 0, down.stderr);
    assert.deepEqual(projectInstances(cloud, dir), []);
  });

  it('down removes the ready stamp, so the next ninja provisions visibly', async () => {
    const dir = decodeProject(cloud);
    assert.equal((await remoteGenAsync(dir, env)).status, 0);
    assert.equal((await ninjaAsync(dir, env)).status, 0);
    assert.equal(readdirSync(join(dir, '.scons-remote/ready')).length, 1);
    assert.equal((await exec(dir, ['down'])).status, 0);
    assert.deepEqual(readdirSync(join(dir, '.scons-remote/ready')), []);
    rmSync(join(dir, 'decoded.txt'));
    const again = await ninjaAsync(dir, env);
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /PROVISION/);
    assert.equal((await exec(dir, ['down'])).status, 0);
  });

  it('status works in a subfolder, and ssh lists the profiles to choose from', async () => {
    const dir = decodeProject(cloud, true);
    assert.equal((await remoteGenAsync(dir, env)).status, 0);
    assert.equal((await ninjaAsync(dir, env, ['big.txt'])).status, 0);
    mkdirSync(join(dir, 'sub'));
    const status = await exec(join(dir, 'sub'), ['status']);
    assert.equal(status.status, 0, status.stderr);
    const lines = status.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    const ssh = await exec(dir, ['ssh', '--', 'true']);
    assert.equal(ssh.status, 255);
    assert.match(
      ssh.stderr,
      /^remote-exec: error: several connection profiles here: [0-9a-f]{12} \((t2\.micro|c5\.large) from ami-\w+ in us-east-1\), [0-9a-f]{12} \((t2\.micro|c5\.large) from ami-\w+ in us-east-1\); choose one with --profile ID\n$/,
    );
    assert.equal((await exec(dir, ['down'])).status, 0);
  });

  it('prune drops the profiles build.ninja no longer names, terminating their instance first', async () => {
    const dir = decodeProject(cloud, true);
    assert.equal((await remoteGenAsync(dir, env)).status, 0);
    assert.equal((await ninjaAsync(dir, env, ['big.txt'])).status, 0);
    const path = join(dir, 'build.remote.ts');
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace(/\nenv\.commandRemote\(\{ target: 'big\.txt'.*\n/, '\n'),
    );
    assert.equal((await remoteGenAsync(dir, env)).status, 0);
    assert.match(
      (await exec(dir, ['status'])).stdout,
      /\(no longer in build\.ninja: remote-exec prune removes it\)/,
    );
    const prune = await exec(dir, ['prune']);
    assert.equal(prune.status, 0, prune.stderr);
    assert.match(
      prune.stderr,
      /^remote-exec: terminated i-\w+ \([0-9a-f]{12}\)\nremote-exec: [0-9a-f]{12}: no longer in build\.ninja; pruned\n$/,
    );
    assert.equal((await exec(dir, ['status'])).stdout.trim().split('\n').length, 1);
    assert.deepEqual(projectInstances(cloud, dir), []);
  });

  it("down --all in a project uses the profiles' endpoint and region", async () => {
    const dir = decodeProject(cloud);
    assert.equal((await remoteGenAsync(dir, env)).status, 0);
    assert.equal((await ninjaAsync(dir, env)).status, 0);
    assert.equal(projectInstances(cloud, dir).length, 1);
    const down = await exec(dir, ['down', '--all'], {
      AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:1',
      AWS_REGION: 'us-west-2',
    });
    assert.equal(down.status, 0, down.stderr);
    assert.deepEqual(projectInstances(cloud, dir), []);
  });

  it('a refused EC2 endpoint on this machine says the emulated cloud is not running', async () => {
    const dir = configProject(cloud, {}, { clientArgs: { endpoint: 'http://127.0.0.1:1' } });
    const result = await exec(dir, ['--config', 'remote.json', 'down']);
    assert.equal(result.status, 255);
    assert.equal(
      result.stderr,
      'remote-exec: error: listing instances tagged by scons-remote: cannot connect to the EC2 endpoint at 127.0.0.1:1 (ECONNREFUSED): is the emulated cloud running? Start it with npm run cloud\n',
    );
  });

  it('no capacity: says what was tried and what to change', async () => {
    cloud.injectFault('RunInstances', 'InsufficientInstanceCapacity', 3);
    const dir = configProject(cloud);
    const result = await exec(dir, ['--config', 'remote.json', '--', 'true']);
    assert.equal(result.status, 255);
    assert.match(
      result.stderr,
      /remote-exec: error: launching the instance: AWS has no t2\.micro capacity in the availability zone AWS chose \(3 attempts\); try another instanceArgs\.InstanceType, or another zone with instanceArgs\.Placement\.AvailabilityZone or SubnetId \(/,
    );
  });
});
