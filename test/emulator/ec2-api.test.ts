import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  EC2Client,
  GetConsoleOutputCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  waitUntilInstanceRunning,
  waitUntilInstanceStopped,
  waitUntilInstanceTerminated,
  type EC2ServiceException,
} from '@aws-sdk/client-ec2';
import type { Cloud } from '../../src/emulator/index.js';
import { cloudClient } from '../../src/emulator/sdk.js';
import { testCloud } from '../helpers/cloud.js';

describe('emulated EC2 API through the real AWS SDK', () => {
  let cloud: Cloud;
  let ec2: EC2Client;
  const waiter = () => ({ client: ec2, maxWaitTime: 30, minDelay: 1, maxDelay: 1 });
  const launch = async (extra: Record<string, unknown> = {}) => {
    const reply = await ec2.send(
      new RunInstancesCommand({
        ImageId: cloud.imageId,
        KeyName: cloud.keyPair.name,
        InstanceType: 't2.micro',
        MinCount: 1,
        MaxCount: 1,
        ...extra,
      }),
    );
    return reply.Instances![0]!.InstanceId!;
  };

  before(async () => {
    cloud = await testCloud({ terminatedVisibleMs: 1500 });
    ec2 = cloudClient(cloud, { maxAttempts: 2 });
  });
  after(() => cloud.stop());

  it('launches an instance that becomes running on a loopback address, waiters included', async () => {
    const id = await launch({
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'team', Value: 'build' }] }],
    });
    await waitUntilInstanceRunning(waiter(), { InstanceIds: [id] });
    const instance = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })))
      .Reservations![0]!.Instances![0]!;
    assert.equal(instance.State?.Name, 'running');
    assert.equal(instance.State?.Code, 16);
    assert.match(instance.PublicIpAddress!, /^127\.\d+\.\d+\.\d+$/);
    assert.equal(instance.PrivateIpAddress, instance.PublicIpAddress);
    assert.deepEqual(instance.Tags, [{ Key: 'team', Value: 'build' }]);
    assert.ok(instance.LaunchTime instanceof Date);
    const status = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [id] }));
    assert.equal(status.InstanceStatuses?.[0]?.InstanceState?.Name, 'running');
  });

  it('filters by id, state and tags, and adds tags', async () => {
    const id = await launch();
    await ec2.send(
      new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'role', Value: 'filter-test' }] }),
    );
    const ids = async (filters: { Name: string; Values: string[] }[]) =>
      (
        (await ec2.send(new DescribeInstancesCommand({ Filters: filters }))).Reservations ?? []
      ).flatMap((r) => r.Instances!.map((i) => i.InstanceId));
    assert.deepEqual(await ids([{ Name: 'tag:role', Values: ['filter-test'] }]), [id]);
    assert.deepEqual(await ids([{ Name: 'tag-key', Values: ['role'] }]), [id]);
    assert.deepEqual(await ids([{ Name: 'instance-id', Values: [id] }]), [id]);
    assert.ok(
      (await ids([{ Name: 'instance-state-name', Values: ['pending', 'running'] }])).includes(id),
    );
    assert.deepEqual(await ids([{ Name: 'tag:role', Values: ['other'] }]), []);
  });

  it('returns the same reservation for the same ClientToken and launches nothing new', async () => {
    const before = cloud.instances().length;
    const first = await ec2.send(
      new RunInstancesCommand({
        ImageId: cloud.imageId,
        KeyName: cloud.keyPair.name,
        MinCount: 1,
        MaxCount: 1,
        ClientToken: 'token-1',
      }),
    );
    const second = await ec2.send(
      new RunInstancesCommand({
        ImageId: cloud.imageId,
        KeyName: cloud.keyPair.name,
        MinCount: 1,
        MaxCount: 1,
        ClientToken: 'token-1',
      }),
    );
    assert.equal(second.ReservationId, first.ReservationId);
    assert.equal(second.Instances![0]!.InstanceId, first.Instances![0]!.InstanceId);
    assert.equal(cloud.instances().length, before + 1);
    assert.equal(
      cloud
        .calls()
        .filter((call) => call.action === 'RunInstances' && call.params.ClientToken === 'token-1')
        .length,
      2,
      'both calls are logged',
    );
  });

  it('stops, starts (on a new address) and terminates; terminated instances stay visible for a while', async () => {
    const id = await launch();
    await waitUntilInstanceRunning(waiter(), { InstanceIds: [id] });
    const firstAddress = cloud.instances().find((i) => i.instanceId === id)!.address;
    const stopping = await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    assert.equal(stopping.StoppingInstances?.[0]?.CurrentState?.Name, 'stopping');
    await waitUntilInstanceStopped(waiter(), { InstanceIds: [id] });
    await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    await waitUntilInstanceRunning(waiter(), { InstanceIds: [id] });
    assert.notEqual(cloud.instances().find((i) => i.instanceId === id)!.address, firstAddress);
    const terminating = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    assert.equal(terminating.TerminatingInstances?.[0]?.PreviousState?.Name, 'running');
    assert.equal(terminating.TerminatingInstances?.[0]?.CurrentState?.Name, 'shutting-down');
    await waitUntilInstanceTerminated(waiter(), { InstanceIds: [id] });
    const seen = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    assert.equal(seen.Reservations![0]!.Instances![0]!.State?.Name, 'terminated');
    assert.equal(seen.Reservations![0]!.Instances![0]!.PublicIpAddress, undefined);
    await new Promise((resolve) => setTimeout(resolve, 1800));
    await assert.rejects(ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })), {
      name: 'InvalidInstanceID.NotFound',
    });
  });

  it('prints the host key fingerprints block on the console, as cloud-init does', async () => {
    const id = await launch();
    const early = await ec2.send(new GetConsoleOutputCommand({ InstanceId: id }));
    assert.equal(early.Output, undefined, 'nothing on the console before the first boot');
    await waitUntilInstanceRunning(waiter(), { InstanceIds: [id] });
    const output = await ec2.send(new GetConsoleOutputCommand({ InstanceId: id }));
    const text = Buffer.from(output.Output!, 'base64').toString('utf8');
    assert.match(
      text,
      /-----BEGIN SSH HOST KEY FINGERPRINTS-----\nec2: 256 SHA256:[A-Za-z0-9+/]{43} \S+ \(ED25519\)\nec2: -----END SSH HOST KEY FINGERPRINTS-----/,
    );
  });

  it('answers bad requests with the real EC2 error codes', async () => {
    const cases: [() => Promise<unknown>, string][] = [
      [
        () => ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })),
        'InvalidInstanceID.NotFound',
      ],
      [
        () => ec2.send(new DescribeInstancesCommand({ InstanceIds: ['not-an-id'] })),
        'InvalidInstanceID.Malformed',
      ],
      [
        () =>
          ec2.send(
            new RunInstancesCommand({
              ImageId: 'ami-00000000000000000',
              KeyName: cloud.keyPair.name,
              MinCount: 1,
              MaxCount: 1,
            }),
          ),
        'InvalidAMIID.NotFound',
      ],
      [
        () =>
          ec2.send(
            new RunInstancesCommand({
              ImageId: cloud.imageId,
              KeyName: 'nope',
              MinCount: 1,
              MaxCount: 1,
            }),
          ),
        'InvalidKeyPair.NotFound',
      ],
      [
        () =>
          ec2.send(
            new RunInstancesCommand({
              KeyName: cloud.keyPair.name,
              MinCount: 1,
              MaxCount: 1,
            } as never),
          ),
        'MissingParameter',
      ],
    ];
    for (const [call, code] of cases) await assert.rejects(call(), { name: code });
    const stranger = new EC2Client({
      endpoint: cloud.endpoint,
      region: cloud.region,
      credentials: { accessKeyId: 'AKIASOMEONEELSE00000', secretAccessKey: 'x' },
    });
    await assert.rejects(stranger.send(new DescribeInstancesCommand({})), { name: 'AuthFailure' });
  });

  it('launches MaxCount instances in one reservation', async () => {
    const reply = await ec2.send(
      new RunInstancesCommand({
        ImageId: cloud.imageId,
        KeyName: cloud.keyPair.name,
        MinCount: 1,
        MaxCount: 2,
      }),
    );
    assert.equal(reply.Instances?.length, 2);
    assert.deepEqual(
      reply.Instances!.map((instance) => instance.AmiLaunchIndex),
      [0, 1],
    );
    const ids = reply.Instances!.map((instance) => instance.InstanceId!);
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    assert.equal(described.Reservations?.length, 1);
    assert.equal(described.Reservations![0]!.ReservationId, reply.ReservationId);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
  });

  it('refuses a ClientToken reused for a different request', async () => {
    await ec2.send(
      new RunInstancesCommand({
        ImageId: cloud.imageId,
        KeyName: cloud.keyPair.name,
        MinCount: 1,
        MaxCount: 1,
        ClientToken: 'token-2',
      }),
    );
    await assert.rejects(
      ec2.send(
        new RunInstancesCommand({
          ImageId: cloud.imageId,
          KeyName: cloud.keyPair.name,
          MinCount: 1,
          MaxCount: 1,
          InstanceType: 't3.large',
          ClientToken: 'token-2',
        }),
      ),
      { name: 'IdempotentParameterMismatch' },
    );
  });

  it('reports only running instances in DescribeInstanceStatus unless IncludeAllInstances', async () => {
    const id = await launch();
    const statuses = async (all?: boolean) =>
      (
        await ec2.send(
          new DescribeInstanceStatusCommand({ InstanceIds: [id], IncludeAllInstances: all }),
        )
      ).InstanceStatuses ?? [];
    assert.deepEqual(await statuses(), [], 'pending');
    assert.equal((await statuses(true))[0]?.InstanceState?.Name, 'pending');
    await waitUntilInstanceRunning(waiter(), { InstanceIds: [id] });
    const [running] = await statuses();
    assert.equal(running?.InstanceState?.Name, 'running');
    assert.equal(running?.InstanceStatus?.Status, 'ok');
    assert.equal(running?.AvailabilityZone, `${cloud.region}a`);
  });

  it('says why an instance went down, and refuses to start a terminated one', async () => {
    const id = await launch();
    await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    await waitUntilInstanceStopped(waiter(), { InstanceIds: [id] });
    const stopped = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })))
      .Reservations![0]!.Instances![0]!;
    assert.equal(stopped.StateReason?.Code, 'Client.UserInitiatedShutdown');
    assert.match(
      stopped.StateTransitionReason!,
      /^User initiated \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\)$/,
    );
    assert.equal(stopped.PublicIpAddress, undefined);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await waitUntilInstanceTerminated(waiter(), { InstanceIds: [id] });
    await assert.rejects(ec2.send(new StartInstancesCommand({ InstanceIds: [id] })), {
      name: 'IncorrectInstanceState',
    });
    await assert.rejects(ec2.send(new StopInstancesCommand({ InstanceIds: [id] })), {
      name: 'IncorrectInstanceState',
    });
    const again = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    assert.equal(
      again.TerminatingInstances?.[0]?.CurrentState?.Name,
      'terminated',
      'terminating twice is harmless',
    );
  });

  it('answers unknown instances, missing parameters and unknown filters as EC2 does', async () => {
    const unknown = 'i-0123456789abcdef0';
    const cases: [() => Promise<unknown>, string][] = [
      [
        () =>
          ec2.send(
            new CreateTagsCommand({ Resources: [unknown], Tags: [{ Key: 'a', Value: 'b' }] }),
          ),
        'InvalidInstanceID.NotFound',
      ],
      [
        () => ec2.send(new TerminateInstancesCommand({ InstanceIds: [unknown] })),
        'InvalidInstanceID.NotFound',
      ],
      [
        () => ec2.send(new StopInstancesCommand({ InstanceIds: ['i-xyz'] })),
        'InvalidInstanceID.Malformed',
      ],
      [
        () => ec2.send(new GetConsoleOutputCommand({ InstanceId: unknown })),
        'InvalidInstanceID.NotFound',
      ],
      [
        () => ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [unknown] })),
        'InvalidInstanceID.NotFound',
      ],
      [() => ec2.send(new TerminateInstancesCommand({ InstanceIds: [] })), 'MissingParameter'],
      [
        () =>
          ec2.send(
            new RunInstancesCommand({
              ImageId: cloud.imageId,
              KeyName: cloud.keyPair.name,
              MaxCount: 1,
            } as never),
          ),
        'MissingParameter',
      ],
      [
        () =>
          ec2.send(
            new RunInstancesCommand({
              ImageId: cloud.imageId,
              KeyName: cloud.keyPair.name,
              MinCount: 1,
            } as never),
          ),
        'MissingParameter',
      ],
      [
        () =>
          ec2.send(
            new DescribeInstancesCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] }),
          ),
        'InvalidParameterValue',
      ],
    ];
    for (const [call, code] of cases) await assert.rejects(call(), { name: code });
  });

  it('injects every error code the project handles, with the HTTP status AWS answers it with', async () => {
    const once = cloudClient(cloud, { maxAttempts: 1 });
    const codes: [string, number][] = [
      ['InvalidInstanceID.NotFound', 400],
      ['InvalidInstanceID.Malformed', 400],
      ['InsufficientInstanceCapacity', 500],
      ['RequestLimitExceeded', 503],
      ['AuthFailure', 401],
      ['InvalidAMIID.NotFound', 400],
      ['InvalidKeyPair.NotFound', 400],
    ];
    for (const [code, status] of codes) {
      cloud.injectFault('DescribeInstances', code);
      const error = await once.send(new DescribeInstancesCommand({})).then(
        () => undefined,
        (caught: EC2ServiceException) => caught,
      );
      assert.equal(error?.name, code);
      assert.equal(error?.$metadata.httpStatusCode, status, code);
      assert.equal(cloud.calls().at(-1)?.error, code);
    }
    await once.send(new DescribeInstancesCommand({}));
  });

  it('fails the next N calls of an action with an injected fault, and logs every call', async () => {
    for (const code of ['InsufficientInstanceCapacity', 'RequestLimitExceeded']) {
      cloud.injectFault('RunInstances', code, 2);
      const before = cloud.calls().length;
      await assert.rejects(launch(), { name: code });
      const failed = cloud.calls().slice(before);
      assert.deepEqual(
        failed.map((call) => [call.action, call.error]),
        [
          ['RunInstances', code],
          ['RunInstances', code],
        ],
        'the SDK retried once, both failed',
      );
    }
    await launch();
    assert.equal(cloud.calls().at(-1)?.error, undefined);
  });
});
