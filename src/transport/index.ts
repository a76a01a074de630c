export { connect, type ConnectOptions, type SshTarget, type Transport } from './connect.js';
export { isUnreachable, SshUnreachableError } from './errors.js';
export type { ExecIo } from './exec-channel.js';
export { fingerprint } from './host-key.js';
