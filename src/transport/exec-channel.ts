import { constants } from 'node:os';
import type { Client, ClientChannel } from 'ssh2';

export interface ExecIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  stdin?: NodeJS.ReadableStream;
}

export interface OpenChannel {
  channel: ClientChannel;
  /** The remote exit status; a signal counts as 128 + its number, as in a shell. */
  status: Promise<number>;
}

/** Resolves with the exit status of the channel, listening from its first moment. */
function channelStatus(channel: ClientChannel): Promise<number> {
  return new Promise((resolve) => {
    let status = 255;
    channel.once('exit', (code: number | null, signal?: string) => {
      const name = (signal?.startsWith('SIG') ? signal : `SIG${signal}`) as NodeJS.Signals;
      status = code ?? 128 + (signal ? (constants.signals[name] ?? 0) : 0);
    });
    channel.once('close', () => resolve(status));
  });
}

/**
 * Starts a command. The status listener is attached inside ssh2's callback: a fast command's exit status can
 * arrive in the same packet batch as the channel's opening, before any awaiting code would run.
 */
export function openChannel(client: Client, command: string): Promise<OpenChannel> {
  return new Promise((resolve, reject) =>
    client.exec(command, (error, channel) =>
      error ? reject(error) : resolve({ channel, status: channelStatus(channel) }),
    ),
  );
}

/** Runs a command, streaming its output to `io` (discarded when not given) and its input from `io.stdin`. */
export async function execCommand(
  client: Client,
  command: string,
  io: ExecIo = {},
): Promise<number> {
  const { channel, status } = await openChannel(client, command);
  if (io.stdout) channel.pipe(io.stdout, { end: false });
  else channel.resume();
  if (io.stderr) channel.stderr.pipe(io.stderr, { end: false });
  else channel.stderr.resume();
  if (io.stdin) io.stdin.pipe(channel);
  else channel.end();
  return status;
}
