import type { EC2Client, Instance, RunInstancesCommandInput, Tag } from '@aws-sdk/client-ec2';
import { awsError, capacityError } from './aws-errors.js';
import { TOOL_TAG } from './tags.js';

export interface InstanceView {
  instanceId: string;
  state: string;
  address?: string;
  launchTime?: Date;
  tags: Record<string, string>;
}

const ec2 = () => import('@aws-sdk/client-ec2');

function view(instance: Instance): InstanceView {
  return {
    instanceId: instance.InstanceId ?? '',
    state: instance.State?.Name ?? 'unknown',
    address: instance.PublicIpAddress ?? instance.PrivateIpAddress,
    launchTime: instance.LaunchTime,
    tags: Object.fromEntries((instance.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
  };
}

/** instanceArgs verbatim, plus our tags on the instance (kept beside any instance tags the user gave). */
export async function launchInstance(
  client: EC2Client,
  instanceArgs: RunInstancesCommandInput,
  tags: Tag[],
  clientToken: string,
): Promise<string> {
  const { RunInstancesCommand } = await ec2();
  const specifications = instanceArgs.TagSpecifications ?? [];
  const forInstances = specifications.find((spec) => spec.ResourceType === 'instance');
  const TagSpecifications = forInstances
    ? specifications.map((spec) =>
        spec === forInstances ? { ...spec, Tags: [...(spec.Tags ?? []), ...tags] } : spec,
      )
    : [...specifications, { ResourceType: 'instance' as const, Tags: tags }];
  try {
    const reply = await client.send(
      new RunInstancesCommand({ ClientToken: clientToken, ...instanceArgs, TagSpecifications }),
    );
    const id = reply.Instances?.[0]?.InstanceId;
    if (!id) throw new Error('RunInstances returned no instance');
    return id;
  } catch (error) {
    if ((error as { name?: string }).name === 'InsufficientInstanceCapacity')
      throw capacityError(instanceArgs, error);
    throw awsError('launching the instance', error);
  }
}

export async function waitUntilRunning(
  client: EC2Client,
  instanceId: string,
  maxWaitTime = 600,
): Promise<InstanceView> {
  const { waitUntilInstanceRunning } = await ec2();
  try {
    await waitUntilInstanceRunning(
      { client, maxWaitTime, minDelay: 1, maxDelay: 5 },
      { InstanceIds: [instanceId] },
    );
  } catch (error) {
    const reason = (error as { result?: { reason?: unknown } }).result?.reason ?? error;
    throw awsError(`waiting for ${instanceId} to run`, reason);
  }
  const running = await describeInstance(client, instanceId);
  if (!running?.address)
    throw awsError(
      `waiting for ${instanceId} to run`,
      new Error('the running instance has no IP address'),
    );
  return running;
}

export async function waitUntilStopped(
  client: EC2Client,
  instanceId: string,
  maxWaitTime = 600,
): Promise<void> {
  const { waitUntilInstanceStopped } = await ec2();
  try {
    await waitUntilInstanceStopped(
      { client, maxWaitTime, minDelay: 1, maxDelay: 5 },
      { InstanceIds: [instanceId] },
    );
  } catch (error) {
    throw awsError(
      `waiting for ${instanceId} to stop`,
      (error as { result?: { reason?: unknown } }).result?.reason ?? error,
    );
  }
}

/** The instance as AWS sees it now, or undefined when AWS no longer knows it. */
export async function describeInstance(
  client: EC2Client,
  instanceId: string,
): Promise<InstanceView | undefined> {
  const { DescribeInstancesCommand } = await ec2();
  try {
    const reply = await client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = reply.Reservations?.flatMap((reservation) => reservation.Instances ?? [])[0];
    return instance ? view(instance) : undefined;
  } catch (error) {
    if ((error as { name?: string }).name === 'InvalidInstanceID.NotFound') return undefined;
    throw awsError(`looking up ${instanceId}`, error);
  }
}

/** Every live instance this tool launched in the client's region; with `tags`, only those carrying them. */
export async function findOurInstances(
  client: EC2Client,
  tags: Record<string, string> = {},
): Promise<InstanceView[]> {
  const { DescribeInstancesCommand } = await ec2();
  try {
    const reply = await client.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag-key', Values: [TOOL_TAG] },
          { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
          ...Object.entries(tags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] })),
        ],
      }),
    );
    return (reply.Reservations ?? [])
      .flatMap((reservation) => reservation.Instances ?? [])
      .map(view);
  } catch (error) {
    throw awsError('listing instances tagged by scons-remote', error);
  }
}

export async function startInstance(client: EC2Client, instanceId: string): Promise<void> {
  const { StartInstancesCommand } = await ec2();
  try {
    await client.send(new StartInstancesCommand({ InstanceIds: [instanceId] }));
  } catch (error) {
    throw awsError(`starting ${instanceId}`, error);
  }
}

export async function terminateInstances(client: EC2Client, instanceIds: string[]): Promise<void> {
  const { TerminateInstancesCommand } = await ec2();
  try {
    await client.send(new TerminateInstancesCommand({ InstanceIds: instanceIds }));
  } catch (error) {
    throw awsError(`terminating ${instanceIds.join(', ')}`, error);
  }
}

/** The SSH host key fingerprints cloud-init printed to the console, when it has printed them yet. */
export async function consoleHostKeys(client: EC2Client, instanceId: string): Promise<string[]> {
  const { GetConsoleOutputCommand } = await ec2();
  try {
    const reply = await client.send(new GetConsoleOutputCommand({ InstanceId: instanceId }));
    const text = Buffer.from(reply.Output ?? '', 'base64').toString('utf8');
    const block =
      /-----BEGIN SSH HOST KEY FINGERPRINTS-----([\s\S]*?)-----END SSH HOST KEY FINGERPRINTS-----/.exec(
        text,
      );
    return block ? [...block[1]!.matchAll(/SHA256:[A-Za-z0-9+/]+/g)].map((match) => match[0]) : [];
  } catch {
    return [];
  }
}
