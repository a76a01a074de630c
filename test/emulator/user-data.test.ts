import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import {
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  waitUntilInstanceRunning,
  type EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { userDataWithGuard } from '../../src/cloud/user-data.js';
import type { Cloud } from '../../src/emulator/index.js';
import { cloudClient } from '../../src/emulator/sdk.js';
import { runAsync } from '../helpers/cli.js';
import { testCloud, OPENSSH_OPTIONS } from '../helpers/cloud.js';

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('the emulated cloud runs UserData at first boot, as cloud-init does', () => {
  let cloud: Cloud;
  let ec2: EC2Client;
  const waiter = () => ({ client: ec2, maxWaitTime: 30, minDelay: 1, maxDelay: 1 });
  const launch = async (UserData: string) => {
    const reply = await ec2.send(
      new RunInstancesCommand({
        ImageId: cloud.imageId,
        KeyName: cloud.keyPair.name,
        MinCount: 1,
        MaxCount: 1,
        UserData,
      }),
    );
    const id = reply.Instances![0]!.InstanceId!;
    await waitUntilInstanceRunning(waiter(), { InstanceIds: [id] });
    return id;
  };
  const address = async (id: string) =>
    (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!
      .Instances![0]!.PublicIpAddress!;
  // User data runs after sshd starts, so a reader waits for what it writes.
  const readOnceWritten = async (id: string, file: string, line: string) => {
    const command = `until grep -qx ${line} ${file} 2>/dev/null; do sleep 0.1; done; cat ${file}`;
    return runAsync(
      'ssh',
      [
        ...OPENSSH_OPTIONS,
        '-i',
        cloud.keyPair.privateKeyPath,
        `ubuntu@${await address(id)}`,
        command,
      ],
      tmpdir(),
    );
  };

  before(async () => {
    cloud = await testCloud();
    ec2 = cloudClient(cloud, { maxAttempts: 1 });
  });
  after(() => cloud.stop());

  it('runs a script as the login user, in its home', async () => {
    const id = await launch(base64('#!/bin/sh\necho "$(id -un):$HOME" >> "$HOME/boots.txt"\n'));
    assert.equal(
      (await readOnceWritten(id, 'boots.txt', 'ubuntu:/home/ubuntu')).stdout,
      'ubuntu:/home/ubuntu\n',
    );
  });

  it("runs the shell parts of a MIME multipart in order, the tool's guard and the user's own", async () => {
    const users = base64('#!/bin/sh\necho user >> "$HOME/order.txt"\n');
    const id = await launch(
      userDataWithGuard(users, '#!/bin/sh\necho guard >> "$HOME/order.txt"\n'),
    );
    assert.equal((await readOnceWritten(id, 'order.txt', 'user')).stdout, 'guard\nuser\n');
  });

  it("nests the user's own multipart user data whole", async () => {
    const users = [
      'Content-Type: multipart/mixed; boundary="inner"',
      'MIME-Version: 1.0',
      '',
      '--inner',
      'Content-Type: text/cloud-config',
      '',
      '#cloud-config',
      'packages: []',
      '--inner',
      'Content-Type: text/x-shellscript',
      '',
      '#!/bin/sh',
      'echo nested >> "$HOME/nested.txt"',
      '--inner--',
      '',
    ].join('\n');
    const id = await launch(
      userDataWithGuard(base64(users), '#!/bin/sh\necho guard >> "$HOME/nested.txt"\n'),
    );
    assert.equal((await readOnceWritten(id, 'nested.txt', 'nested')).stdout, 'guard\nnested\n');
  });

  it('refuses UserData that is not base64, as EC2 does', async () => {
    await assert.rejects(
      ec2.send(
        new RunInstancesCommand({
          ImageId: cloud.imageId,
          KeyName: cloud.keyPair.name,
          MinCount: 1,
          MaxCount: 1,
          UserData: '#!/bin/sh not encoded',
        }),
      ),
      (error: EC2ServiceException) =>
        error.name === 'InvalidParameterValue' && /BASE64/.test(error.message),
    );
  });
});
