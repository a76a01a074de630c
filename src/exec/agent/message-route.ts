import { AsyncLocalStorage } from 'node:async_hooks';
import { routeMessages } from '../progress.js';

// The agent serves many steps at once; the tool's messages (provisioning progress, warnings) must
// reach the stderr of the step they concern, whichever module prints them.
const current = new AsyncLocalStorage<NodeJS.WritableStream>();

routeMessages(() => current.getStore() ?? process.stderr);

export function withMessagesTo<T>(stderr: NodeJS.WritableStream, work: () => T): T {
  return current.run(stderr, work);
}

/** The stderr of the step in whose service this code runs (the agent's log outside any). */
export function currentMessages(): NodeJS.WritableStream {
  return current.getStore() ?? process.stderr;
}
