import { UserError } from '../util/user-error.js';

interface AwsError { name?: string; Code?: string; message?: string; code?: string }

const EXPLANATIONS: Record<string, string> = {
  'InvalidAMIID.NotFound': 'AMI not found: check instanceArgs.ImageId and the region',
  'InvalidAMIID.Malformed': 'malformed AMI id in instanceArgs.ImageId',
  'InvalidKeyPair.NotFound': 'key pair not found: check instanceArgs.KeyName and the region',
  InsufficientInstanceCapacity: 'AWS has no capacity for this instance type here right now (after retries); try another InstanceType or availability zone',
  InstanceLimitExceeded: 'instance limit of the account reached',
  AuthFailure: 'AWS rejected the credentials (AuthFailure)',
  UnauthorizedOperation: 'the AWS credentials are not allowed to do this (UnauthorizedOperation)',
  RequestLimitExceeded: 'AWS throttled the requests (RequestLimitExceeded) beyond the SDK\'s retries',
  'InvalidInstanceID.NotFound': 'instance not found',
};

/** One line for a failed AWS call: what was being done, and what the user can do about it. */
export function awsError(doing: string, error: unknown): UserError {
  const failure = (error ?? {}) as AwsError;
  const code = failure.Code ?? failure.name ?? failure.code ?? 'Error';
  if (code === 'CredentialsProviderError' || /Could not load credentials/i.test(failure.message ?? '')) {
    return new UserError(`${doing}: no AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run aws sso login)`);
  }
  const detail = (failure.message ?? String(error)).split('\n')[0];
  const explanation = EXPLANATIONS[code];
  return new UserError(`${doing}: ${explanation ? `${explanation} (${detail})` : `${code}: ${detail}`}`);
}
