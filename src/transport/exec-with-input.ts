import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client } from 'ssh2';
import { UserError } from '../util/user-error.js';
import { openChannel } from './exec-channel.js';
import type { Liveness } from './liveness.js';

export interface ExecResult {
  status: number;
  stdout: string;
  stderr: string;
}

function collect(stream: NodeJS.ReadableStream): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

/**
 * Runs `command` fed with `input` (an upload), collecting its output. The input's flow is watched
 * for stalls until it ends; after that only keepalives watch the instance, which may take a while
 * to check what it received. A failure to read the input ends the channel and names the cause.
 */
export async function execWithInput(
  client: Client,
  command: string,
  input: Readable,
  liveness: Liveness,
  signal: AbortSignal,
): Promise<ExecResult> {
  const { channel, status } = await openChannel(client, command);
  const stdout = collect(channel);
  const stderr = collect(channel.stderr);
  const watch = new AbortController();
  const stopWatching = () => watch.abort();
  signal.addEventListener('abort', stopWatching, { once: true });
  input.once('end', stopWatching);
  liveness.watchProgress(input, watch.signal);
  const sent = await pipeline(input, channel).then(
    () => undefined,
    (error: Error) => error,
  );
  const code = await status;
  stopWatching();
  if (sent instanceof UserError) throw sent;
  if (sent) throw new UserError(`upload failed: ${sent.message}`);
  return { status: code, stdout: stdout(), stderr: stderr() };
}
