// The SDK and ssh2 types a description's connection arguments have. The build (`npm run build`)
// replaces this module's declaration file in dist/ with a copy of just these types and what they
// reference (src/generate/write-connection-types.ts), so remote-gen's type-check and editors read a
// few hundred kilobytes instead of the SDK's 10 MB.
export type { EC2ClientConfig, RunInstancesCommandInput } from '@aws-sdk/client-ec2';
export type { ConnectConfig } from 'ssh2';
