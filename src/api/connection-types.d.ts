// The SDK and ssh2 types of a description's connection arguments. A declaration file, so tsc compiles
// against it but never writes it to dist/: there `npm run build` puts a copy of just these types and
// what they reference (src/generate/write-connection-types.ts), so remote-gen's type-check and editors
// read ~120 kB instead of the SDK's 10 MB, and users need neither the SDK's types nor @types/ssh2.
export type { EC2ClientConfig, RunInstancesCommandInput } from '@aws-sdk/client-ec2';
export type { ConnectConfig } from 'ssh2';
