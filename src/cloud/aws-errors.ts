import { UserError } from '../util/user-error.js';

interface AwsError {
  name?: string;
  Code?: string;
  message?: string;
  code?: string;
  /** Where a refused or failed connection went (Node's network errors). */
  address?: string;
  port?: number;
  $metadata?: { attempts?: number };
}

const EXPLANATIONS: Record<string, string> = {
  'InvalidAMIID.NotFound': 'AMI not found: check instanceArgs.ImageId and the region',
  'InvalidAMIID.Malformed': 'malformed AMI id in instanceArgs.ImageId',
  'InvalidKeyPair.NotFound': 'key pair not found: check instanceArgs.KeyName and the region',
  InstanceLimitExceeded: 'instance limit of the account reached',
  AuthFailure: 'AWS rejected the credentials (AuthFailure)',
  UnauthorizedOperation: 'the AWS credentials are not allowed to do this (UnauthorizedOperation)',
  RequestLimitExceeded:
    "AWS throttled the requests (RequestLimitExceeded) beyond the SDK's retries",
  'InvalidInstanceID.NotFound': 'instance not found',
};

/** One line for a failed AWS call: what was being done, and what the user can do about it. */
export function awsError(doing: string, error: unknown): UserError {
  const failure = (error ?? {}) as AwsError;
  const code = failure.Code ?? failure.name ?? failure.code ?? 'Error';
  if (
    code === 'CredentialsProviderError' ||
    /Could not load credentials/i.test(failure.message ?? '')
  ) {
    return new UserError(
      `${doing}: no AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run aws sso login)`,
    );
  }
  if (code === 'ECONNREFUSED' || failure.code === 'ECONNREFUSED')
    return new UserError(`${doing}: ${refusedConnection(failure)}`);
  const detail = (failure.message ?? String(error)).split('\n')[0];
  const explanation = EXPLANATIONS[code];
  return new UserError(
    `${doing}: ${explanation ? `${explanation} (${detail})` : `${code}: ${detail}`}`,
  );
}

function refusedConnection(failure: AwsError): string {
  const where = failure.address
    ? ` at ${failure.address}${failure.port ? `:${failure.port}` : ''}`
    : '';
  const loopback = /^(127\.|::1$|::ffff:127\.)/.test(failure.address ?? '');
  // On this machine, the endpoint is the emulated cloud's (AWS's are never local).
  return `cannot connect to the EC2 endpoint${where} (ECONNREFUSED)${loopback ? ': is the emulated cloud running? Start it with npm run cloud' : ''}`;
}

interface LaunchPlace {
  InstanceType?: string;
  Placement?: { AvailabilityZone?: string };
  SubnetId?: string;
}

/** RunInstances found no capacity even after the SDK's retries: what was asked for, and what to change. */
export function capacityError(args: LaunchPlace, error: unknown): UserError {
  const failure = (error ?? {}) as AwsError;
  const zone = args.Placement?.AvailabilityZone
    ? `availability zone ${args.Placement.AvailabilityZone}`
    : args.SubnetId
      ? `the zone of subnet ${args.SubnetId}`
      : 'the availability zone AWS chose';
  const attempts = failure.$metadata?.attempts;
  return new UserError(
    `launching the instance: AWS has no ${args.InstanceType ?? 'default-type'} capacity in ${zone}` +
      `${attempts ? ` (${attempts} attempts)` : ''}; try another instanceArgs.InstanceType, or another zone with ` +
      `instanceArgs.Placement.AvailabilityZone or SubnetId (${(failure.message ?? '').split('\n')[0]})`,
  );
}
