import { readFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, ConnectConfig } from 'ssh2';
import { UserError } from '../util/user-error.js';
import { SshUnreachableError } from './errors.js';
import { execCommand, type ExecIo } from './exec-channel.js';
import { execWithInput, type ExecResult } from './exec-with-input.js';
import { fingerprint } from './host-key.js';
import { Liveness, type Limits } from './liveness.js';
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
  /**
   * A dead or frozen instance fails the operation after about this long (default 60): no progress on an
   * upload or download, or no answer to keepalives (sent every quarter of it, unless sshArgs set them).
   */
  stallSeconds?: number;
}

const DEFAULT_STALL_SECONDS = 60;
const KEEPALIVE_COUNT_MAX = 3;

/** The one interface through which everything reaches an instance. */
export interface Transport {
  /** The fingerprint of the host key the server presented. */
  readonly hostKey: string;
  /** The connection is gone (closed, or lost to the instance): a holder of it opens another. */
  readonly lost: boolean;
  exec(command: string, io?: ExecIo): Promise<number>;
  put(localBase: string, relPaths: readonly string[], remoteDir: string): Promise<void>;
  /** Runs `command` with `input` on its stdin, guarded and watched as an upload. */
  send(command: string, input: Readable): Promise<ExecResult>;
  get(
    remoteDir: string,
    relPaths: readonly string[],
    localDir: string,
  ): Promise<{ missing: string[] }>;
  close(): Promise<void>;
}

interface Attempt {
  client: Client;
  socket: Socket;
  hostKey: string;
}

class RefusedError extends UserError {}

function where(target: SshTarget): string {
  return `${target.host}:${target.sshArgs.port ?? 22}`;
}

interface Keepalive {
  keepaliveInterval: number;
  keepaliveCountMax: number;
}

/** Keepalives every quarter of the stall time, unless sshArgs set their own; and how long they take to give up. */
function keepalive(target: SshTarget, stallSeconds: number): Keepalive & { giveUpSeconds: number } {
  const keepaliveInterval =
    target.sshArgs.keepaliveInterval ?? (stallSeconds * 1000) / (KEEPALIVE_COUNT_MAX + 1);
  const keepaliveCountMax = target.sshArgs.keepaliveCountMax ?? KEEPALIVE_COUNT_MAX;
  return {
    keepaliveInterval,
    keepaliveCountMax,
    giveUpSeconds: (keepaliveInterval * (keepaliveCountMax + 1)) / 1000,
  };
}

async function attempt(
  target: SshTarget,
  privateKey: Buffer | undefined,
  keepalives: Keepalive,
): Promise<Attempt> {
  const { Client } = await import('ssh2');
  const client = new Client();
  const { privateKeyPath: _keyPath, ...config } = target.sshArgs;
  // Our own socket, so a connection whose instance froze can always be dropped (see Liveness).
  const socket =
    (config.sock as Socket | undefined) ??
    new Socket().connect({
      host: target.host,
      port: config.port ?? 22,
      localAddress: config.localAddress,
    });
  let hostKey = '';
  return new Promise((resolve, reject) => {
    client.once('ready', () => resolve({ client, socket, hostKey }));
    client.once('error', (error: Error & { level?: string }) => {
      client.end();
      if (error.level === 'client-authentication') {
        const key = target.sshArgs.privateKeyPath
          ? ` with key ${target.sshArgs.privateKeyPath}`
          : target.sshArgs.agent
            ? ' with the ssh agent'
            : '';
        reject(
          new RefusedError(
            `ssh: authentication failed for user '${target.sshArgs.username ?? ''}' at ${target.host}${key}`,
          ),
        );
      } else if (hostKey && target.hostKeys?.length && !target.hostKeys.includes(hostKey)) {
        reject(
          new RefusedError(
            `ssh: host key of ${target.host} is ${hostKey}, expected ${target.hostKeys.join(' or ')}; refusing to connect`,
          ),
        );
      } else reject(error);
    });
    // Transfer speed, measured with 200 MB each way over loopback (bench/, §3 of issue 9): the CPU
    // of both ends is the limit, not the window (ssh2 keeps its own at 2 MB with 32 KB packets, as
    // OpenSSH's sshd does; no option changes them). So ssh2's cipher order is kept: on a CPU with AES
    // instructions it negotiates aes128-gcm@openssh.com with OpenSSH; forcing
    // chacha20-poly1305@openssh.com, OpenSSH's own first choice, made uploads 1.3-1.4x and downloads
    // 1.3x slower (3.4 s against 2.4 s up, 1.9 s against 1.4 s down). sshArgs.algorithms still wins.
    client.connect({
      readyTimeout: 15_000,
      ...config,
      keepaliveInterval: keepalives.keepaliveInterval,
      keepaliveCountMax: keepalives.keepaliveCountMax,
      sock: socket,
      host: target.host,
      ...(privateKey ? { privateKey } : {}),
      hostVerifier: (key: Buffer) => {
        hostKey = fingerprint(key);
        return !target.hostKeys?.length || target.hostKeys.includes(hostKey);
      },
    });
  });
}

/** Every operation is guarded: it fails at once, naming the host and the phase, when the connection is lost. */
function transportOver(
  { client, socket, hostKey }: Attempt,
  host: string,
  limits: Limits,
): Transport {
  const liveness = new Liveness(client, socket, host, limits);
  return {
    hostKey,
    get lost() {
      return liveness.lost;
    },
    exec: (command, io) => liveness.guard('the command', () => execCommand(client, command, io)),
    put: (localBase, relPaths, remoteDir) =>
      liveness.guard('upload', (signal) =>
        putTree(client, localBase, relPaths, remoteDir, liveness, signal),
      ),
    send: (command, input) =>
      liveness.guard('upload', (signal) => execWithInput(client, command, input, liveness, signal)),
    get: (remoteDir, relPaths, localDir) =>
      liveness.guard('download', (signal) =>
        getTree(client, host, remoteDir, relPaths, localDir, liveness, signal),
      ),
    close: () => liveness.close(),
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
      throw new UserError(
        `ssh: cannot read private key ${keyPath}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
  }
  const retries = options.retries ?? 0;
  const stallSeconds = options.stallSeconds ?? DEFAULT_STALL_SECONDS;
  const keepalives = keepalive(target, stallSeconds);
  let delay = options.firstDelayMs ?? 500;
  for (let tries = 1; ; tries++) {
    try {
      const limits = { stallSeconds, keepaliveSeconds: keepalives.giveUpSeconds };
      return transportOver(await attempt(target, privateKey, keepalives), target.host, limits);
    } catch (error) {
      if (error instanceof RefusedError) throw error;
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      if (tries > retries)
        throw new SshUnreachableError(
          `ssh: ${where(target)} unreachable after ${tries} attempt${tries > 1 ? 's' : ''} (${reason})`,
        );
      options.onRetry?.(tries, error as Error, delay);
      await sleep(delay);
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5000);
    }
  }
}
