export { connect, type ConnectOptions, type SshTarget, type Transport } from './connect.js';
export { isUnreachable, SshUnreachableError } from './errors.js';
export type { ExecIo } from './exec-channel.js';
export type { ExecResult } from './exec-with-input.js';
export { fingerprint } from './host-key.js';
