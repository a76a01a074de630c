import {
  DescribeInstancesCommand,
  EC2Client,
  type EC2ClientConfig,
  RunInstancesCommand,
  waitUntilInstanceRunning,
} from '@aws-sdk/client-ec2';
import type { Cloud } from './index.js';

// The real SDK pointed at an emulated cloud, for tests and benchmarks. Kept out of index.ts so that
// `remote-exec cloud` does not load the SDK it never calls.

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** An EC2 client of `cloud`, with its endpoint, region and credentials. */
export function cloudClient(cloud: Cloud, config: EC2ClientConfig = {}): EC2Client {
  return new EC2Client({
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: cloud.credentials,
    ...config,
  });
}

/** Launches an instance of `cloud` with its key pair and waits until it runs; its id and address. */
export async function launchRunningInstance(cloud: Cloud): Promise<{ id: string; host: string }> {
  const ec2 = cloudClient(cloud);
  const launched = await ec2.send(
    new RunInstancesCommand({
      ImageId: cloud.imageId,
      KeyName: cloud.keyPair.name,
      MinCount: 1,
      MaxCount: 1,
    }),
  );
  const id = launched.Instances![0]!.InstanceId!;
  await waitUntilInstanceRunning(
    { client: ec2, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
    { InstanceIds: [id] },
  );
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return { id, host: described.Reservations![0]!.Instances![0]!.PublicIpAddress! };
}
