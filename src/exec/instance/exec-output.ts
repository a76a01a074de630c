import { Writable } from 'node:stream';
import type { Transport } from '../../transport/index.js';

/** Runs a short command on the instance and returns what it printed on stdout. */
export async function execOutput(transport: Transport, command: string): Promise<string> {
  let text = '';
  const stdout = new Writable({ write: (chunk, _encoding, done) => ((text += chunk), done()) });
  await transport.exec(command, { stdout });
  return text;
}
