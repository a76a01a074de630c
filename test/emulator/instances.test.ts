import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  DescribeInstancesCommand,
  EC2Client,
  GetConsoleOutputCommand,
  RunInstancesCommand,
  waitUntilInstanceRunning,
} from '@aws-sdk/client-ec2';
import type { Cloud } from '../../src/emulator/index.js';
import { cloudClient } from '../../src/emulator/sdk.js';
import { runAsync, tempDir } from '../helpers/cli.js';
import { testCloud, OPENSSH_OPTIONS } from '../helpers/cloud.js';
import { alive, cloudProcesses } from './cloud-processes.js';

describe('emulated instances are real OpenSSH servers', () => {
  let cloud: Cloud;
  let ec2: EC2Client;
  const launch = async (behavior: 'stop' | 'terminate' = 'terminate') => {
    const reply = await ec2.send(
      new RunInstancesCommand({
        ImageId: cloud.imageId,
        KeyName: cloud.keyPair.name,
        MinCount: 1,
        MaxCount: 1,
        InstanceInitiatedShutdownBehavior: behavior,
      }),
    );
    const id = reply.Instances![0]!.InstanceId!;
    await waitUntilInstanceRunning(
      { client: ec2, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
      { InstanceIds: [id] },
    );
    const address = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })))
      .Reservations![0]!.Instances![0]!.PublicIpAddress!;
    return { id, address };
  };
  const ssh = (address: string, command: string) =>
    runAsync(
      'ssh',
      [...OPENSSH_OPTIONS, '-i', cloud.keyPair.privateKeyPath, `ubuntu@${address}`, command],
      tmpdir(),
    );
  const state = (id: string) =>
    cloud.instances().find((instance) => instance.instanceId === id)?.state;

  before(async () => {
    cloud = await testCloud();
    ec2 = cloudClient(cloud);
  });
  after(async () => {
    const pids = cloudProcesses(cloud.stateDir);
    assert.ok(pids.length > 0, 'instances run while the cloud does');
    await cloud.stop();
    assert.deepEqual(alive(pids), [], 'every sshd of the cloud, and all their sessions, are gone');
  });

  it('lets the key pair log in as a non-root user who cannot see the local project', async () => {
    const { address } = await launch();
    const result = await ssh(
      address,
      'id -un; id -u; test -r /work/main/package.json && echo readable || echo hidden; ls ' +
        JSON.stringify(process.cwd()) +
        ' 2>&1 | head -1',
    );
    assert.equal(result.status, 0, result.stderr);
    const [user, uid, visibility] = result.stdout.split('\n');
    assert.equal(user, 'ubuntu');
    assert.notEqual(uid, '0');
    assert.equal(visibility, 'hidden');
    const other = cloud.addKeyPair('someone-else');
    const refused = await runAsync(
      'ssh',
      [...OPENSSH_OPTIONS, '-i', other.privateKeyPath, `ubuntu@${address}`, 'true'],
      tmpdir(),
    );
    assert.equal(refused.status, 255);
  });

  it('copies files in and out with scp', async () => {
    const { address } = await launch();
    const dir = tempDir();
    writeFileSync(join(dir, 'in.bin'), Buffer.from([0, 1, 2, 255, 10]));
    const scp = (from: string, to: string) =>
      runAsync('scp', [...OPENSSH_OPTIONS, '-i', cloud.keyPair.privateKeyPath, from, to], dir);
    assert.equal((await scp(join(dir, 'in.bin'), `ubuntu@${address}:copy.bin`)).status, 0);
    assert.equal((await scp(`ubuntu@${address}:copy.bin`, join(dir, 'back.bin'))).status, 0);
    assert.deepEqual(readFileSync(join(dir, 'back.bin')), readFileSync(join(dir, 'in.bin')));
  });

  it('publishes the host key fingerprint that ssh-keyscan sees', async () => {
    const { id, address } = await launch();
    const console = Buffer.from(
      (await ec2.send(new GetConsoleOutputCommand({ InstanceId: id }))).Output!,
      'base64',
    ).toString();
    const published = /SHA256:[A-Za-z0-9+/]+/.exec(console)![0];
    const scanned = await runAsync(
      'sh',
      ['-c', `ssh-keyscan -t ed25519 ${address} 2>/dev/null | ssh-keygen -lf -`],
      tmpdir(),
    );
    assert.equal(scanned.stdout.split(' ')[1], published);
  });

  it('terminates or stops on `sudo shutdown -h now`, per InstanceInitiatedShutdownBehavior', async () => {
    const terminating = await launch('terminate');
    const stopping = await launch('stop');
    // As on EC2, the connection may drop before ssh sees the command's exit status.
    for (const { address } of [terminating, stopping])
      assert.match(String((await ssh(address, 'sudo shutdown -h now')).status), /^(0|255)$/);
    for (
      let i = 0;
      i < 100 && !(state(terminating.id) === 'terminated' && state(stopping.id) === 'stopped');
      i++
    )
      await sleep(50);
    assert.equal(state(terminating.id), 'terminated');
    assert.equal(state(stopping.id), 'stopped');
    assert.equal((await ssh(terminating.address, 'true')).status, 255, 'its sshd is gone');
  });

  it('has the usual tools, a private /tmp, and sudo for what the project does', async () => {
    const { address } = await launch();
    const script = [
      'for tool in sh python3 tar cat tr; do command -v $tool >/dev/null || echo "missing $tool"; done',
      'ls -A /tmp | wc -l',
      'echo hi | sudo sh -c "tr a-z A-Z"',
      'sudo -n true && echo sudo-ok',
      'python3 -c "print(6 * 7)"',
    ].join('; ');
    const result = await ssh(address, script);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), ['0', 'HI', 'sudo-ok', '42']);
  });

  it('schedules a shutdown with +MINUTES and cancels it with -c', async () => {
    const { id, address } = await launch();
    const scheduled = await ssh(address, 'sudo shutdown -h +1 && sleep 0.3 && sudo shutdown -c');
    assert.equal(scheduled.status, 0, scheduled.stderr);
    await sleep(300);
    assert.equal(state(id), 'running');
    // The real path reaches the emulated shutdown too; the connection may drop before ssh sees the exit status.
    assert.match(String((await ssh(address, 'sudo /sbin/shutdown -h now')).status), /^(0|255)$/);
    for (let i = 0; i < 100 && state(id) !== 'terminated'; i++) await sleep(50);
    assert.equal(state(id), 'terminated');
    const reason = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })))
      .Reservations![0]!.Instances![0]!.StateReason;
    assert.equal(reason?.Code, 'Client.InstanceInitiatedShutdown');
  });

  it("can be terminated behind the client's back", async () => {
    const { id, address } = await launch();
    await cloud.terminateBehindBack(id);
    assert.equal(state(id), 'terminated');
    assert.equal((await ssh(address, 'true')).status, 255);
    assert.ok(
      cloud.calls().every((call) => call.action !== 'TerminateInstances'),
      'no API call did it',
    );
  });

  it('can lose its sshd while still running, as on a network fault', async () => {
    const { id, address } = await launch();
    await cloud.killSshd(id);
    assert.equal(state(id), 'running');
    assert.equal((await ssh(address, 'true')).status, 255);
    const described = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })))
      .Reservations![0]!.Instances![0]!;
    assert.equal(described.State?.Name, 'running');
  });
});
