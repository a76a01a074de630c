import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, ConnectConfig } from 'ssh2';
import { UserError } from '../util/user-error.js';
import { SshUnreachableError } from './errors.js';
import { execCommand, type ExecIo } from './exec-channel.js';
import { fingerprint } from './host-key.js';
import { getTree, putTree } from './tar-copy.js';

export interface SshTarget {
  host: string;
  /** ssh2's ConnectConfig verbatim (its host is replaced by `host`), plus a key file read only now. */
  sshArgs: ConnectConfig & { privateKeyPath?: string };
  /** Accepted host key fingerprints (`SHA256:…`); when given, any other key is refused. */
  hostKeys?: readonly string[];
}

export interface ConnectOptions {
  retries?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (attempt: number, error: Error, delayMs: number) => void;
}

/** The one interface through which everything reaches an instance. */
export interface Transport {
  /** The fingerprint of the host key the server presented. */
  readonly hostKey: string;
  exec(command: string, io?: ExecIo): Promise<number>;
  put(localBase: string, relPaths: readonly string[], remoteDir: string): Promise<void>;
  get(remoteDir: string, relPaths: readonly string[], localDir: string): Promise<{ missing: string[] }>;
  close(): Promise<void>;
}

interface Attempt { client: Client; hostKey: string }

class RefusedError extends UserError {}

function where(target: SshTarget): string {
  return `${target.host}:${target.sshArgs.port ?? 22}`;
}

async function attempt(target: SshTarget, privateKey: Buffer | undefined): Promise<Attempt> {
  const { Client } = await import('ssh2');
  const client = new Client();
  const { privateKeyPath: _keyPath, ...config } = target.sshArgs;
  let hostKey = '';
  return new Promise((resolve, reject) => {
    client.once('ready', () => resolve({ client, hostKey }));
    client.once('error', (error: Error & { level?: string }) => {
      client.end();
      if (error.level === 'client-authentication') {
        const key = target.sshArgs.privateKeyPath ? ` with key ${target.sshArgs.privateKeyPath}` : target.sshArgs.agent ? ' with the ssh agent' : '';
        reject(new RefusedError(`ssh: authentication failed for user '${target.sshArgs.username ?? ''}' at ${target.host}${key}`));
      } else if (hostKey && target.hostKeys?.length && !target.hostKeys.includes(hostKey)) {
        reject(new RefusedError(`ssh: host key of ${target.host} is ${hostKey}, expected ${target.hostKeys.join(' or ')}; refusing to connect`));
      } else reject(error);
    });
    client.connect({
      readyTimeout: 15_000,
      ...config,
      host: target.host,
      ...(privateKey ? { privateKey } : {}),
      hostVerifier: (key: Buffer) => {
        hostKey = fingerprint(key);
        return !target.hostKeys?.length || target.hostKeys.includes(hostKey);
      },
    });
  });
}

function transportOver({ client, hostKey }: Attempt, host: string): Transport {
  return {
    hostKey,
    exec: (command, io) => execCommand(client, command, io),
    put: (localBase, relPaths, remoteDir) => putTree(client, localBase, relPaths, remoteDir),
    get: (remoteDir, relPaths, localDir) => getTree(client, host, remoteDir, relPaths, localDir),
    close: () =>
      new Promise((resolve) => {
        client.once('close', () => resolve());
        client.end();
      }),
  };
}

/** Connects, retrying with exponential backoff while the host is unreachable (booting); never retries a refusal. */
export async function connect(target: SshTarget, options: ConnectOptions = {}): Promise<Transport> {
  const keyPath = target.sshArgs.privateKeyPath;
  let privateKey: Buffer | undefined;
  if (keyPath) {
    try {
      privateKey = await readFile(keyPath);
    } catch (error) {
      throw new UserError(`ssh: cannot read private key ${keyPath}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  }
  const retries = options.retries ?? 0;
  let delay = options.firstDelayMs ?? 500;
  for (let tries = 1; ; tries++) {
    try {
      return transportOver(await attempt(target, privateKey), target.host);
    } catch (error) {
      if (error instanceof RefusedError) throw error;
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      if (tries > retries) throw new SshUnreachableError(`ssh: ${where(target)} unreachable after ${tries} attempt${tries > 1 ? 's' : ''} (${reason})`);
      options.onRetry?.(tries, error as Error, delay);
      await sleep(delay);
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5000);
    }
  }
}
