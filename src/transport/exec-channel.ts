import { constants } from 'node:os';
import type { Client, ClientChannel } from 'ssh2';

export interface ExecIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  stdin?: NodeJS.ReadableStream;
}

export function openChannel(client: Client, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => client.exec(command, (error, channel) => (error ? reject(error) : resolve(channel))));
}

/** Resolves with the remote exit status; a signal counts as 128 + its number, as in a shell. */
export function channelStatus(channel: ClientChannel): Promise<number> {
  return new Promise((resolve) => {
    let status = 255;
    channel.once('exit', (code: number | null, signal?: string) => {
      status = code ?? 128 + (signal ? (constants.signals[`SIG${signal}` as NodeJS.Signals] ?? 0) : 0);
    });
    channel.once('close', () => resolve(status));
  });
}

/** Runs a command, streaming its output to `io` (discarded when not given) and its input from `io.stdin`. */
export async function execCommand(client: Client, command: string, io: ExecIo = {}): Promise<number> {
  const channel = await openChannel(client, command);
  const status = channelStatus(channel);
  if (io.stdout) channel.pipe(io.stdout, { end: false });
  else channel.resume();
  if (io.stderr) channel.stderr.pipe(io.stderr, { end: false });
  else channel.stderr.resume();
  if (io.stdin) io.stdin.pipe(channel);
  else channel.end();
  return status;
}
