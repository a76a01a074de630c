import type { JobRequest } from '../api/job-request.js';

const SCALAR_FLAGS = new Map<string, 'profile' | 'config' | 'stateDir' | 'depfile'>([
  ['--profile', 'profile'],
  ['--config', 'config'],
  ['--state-dir', 'stateDir'],
  ['--depfile', 'depfile'],
]);
const LIST_FLAGS = new Map<string, 'inputs' | 'outputs'>([
  ['--in', 'inputs'],
  ['--out', 'outputs'],
]);

/**
 * A build step's usual arguments, read without yargs: loading yargs costs a step about as much CPU as
 * starting node itself (measured: 99 ms user for `node -e 0`, 176 ms with yargs imported), and a
 * step is what runs thousands of times. Anything but the plain form (`--flag value`, lists of
 * values not starting with `-`, `-v`, then `--` and a command) is left to yargs, which stays the one
 * judge of what is valid and of every message.
 */
export function plainStepArgs(argv: readonly string[]): JobRequest | undefined {
  const dash = argv.indexOf('--');
  if (dash < 0 || dash === argv.length - 1) return undefined;
  const request: JobRequest = { inputs: [], outputs: [], verbose: false, command: '' };
  let list: string[] | undefined;
  for (let i = 0; i < dash; i++) {
    const word = argv[i]!;
    // `--flag=value`, as build.ninja writes it so that a value may start with `-`.
    const [, flag, value] = /^(--[a-z-]+)=(.*)$/s.exec(word) ?? [];
    const scalar = SCALAR_FLAGS.get(flag ?? word);
    const listed = LIST_FLAGS.get(flag ?? word);
    if (flag !== undefined) {
      if (value === '' || !(scalar || listed)) return undefined;
      if (scalar && request[scalar] !== undefined) return undefined;
      if (scalar) request[scalar] = value;
      list = listed ? request[listed] : undefined;
      list?.push(value!);
    } else if (word === '-v' || word === '--verbose') {
      request.verbose = true;
      list = undefined;
    } else if (scalar) {
      const value = argv[i + 1];
      if (request[scalar] !== undefined || i + 1 >= dash || value!.startsWith('-'))
        return undefined;
      request[scalar] = value;
      list = undefined;
      i++;
    } else if (listed) {
      list = request[listed];
      if (i + 1 >= dash || argv[i + 1]!.startsWith('-')) return undefined;
    } else if (list && !word.startsWith('-')) list.push(word);
    else return undefined;
  }
  request.command = argv.slice(dash + 1).join(' ');
  return request;
}
