import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ClientArgs } from '../api/connection.js';
import { UserError } from '../util/user-error.js';

function endpointConfigured(clientArgs: ClientArgs): boolean {
  return Boolean(
    clientArgs.endpoint || process.env.AWS_ENDPOINT_URL_EC2 || process.env.AWS_ENDPOINT_URL,
  );
}

/**
 * Refuses a region the SDK does not know before any request: otherwise the SDK would look up
 * `ec2.<typo>.amazonaws.com` and fail later with a DNS error that does not name the region.
 */
async function checkRegion(clientArgs: ClientArgs, region: string | undefined): Promise<void> {
  if (!region)
    throw new UserError(
      'no AWS region: set clientArgs.region, AWS_REGION or a region in your AWS profile',
    );
  if (endpointConfigured(clientArgs)) return;
  const { partition } = await import('@aws-sdk/core/client');
  if ((partition(region) as { description?: string }).description === undefined) {
    throw new UserError(`unknown AWS region '${region}' (from clientArgs.region or AWS_REGION)`);
  }
}

/** The SDK client, built from clientArgs verbatim; credentials and region come from the SDK's default chain. */
export async function createEc2Client(clientArgs: ClientArgs): Promise<EC2Client> {
  // The SDK warns on stderr about Node 20 on first use; a build step's output must stay the command's own.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { EC2Client } = await import('@aws-sdk/client-ec2');
  const client = new EC2Client({ ...clientArgs });
  let region: string | undefined;
  try {
    region = await client.config.region();
  } catch {
    region = undefined;
  }
  await checkRegion(clientArgs, region);
  return client;
}
