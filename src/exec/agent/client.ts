import {
  encodeMessage,
  FrameKind,
  type AgentMessage,
  type JobMessage,
} from '../../api/agent-protocol.js';
import type { JobRequest } from '../../api/job-request.js';
import { agentLogPath } from '../../layout/local-state.js';
import { UserError } from '../../util/user-error.js';
import { cancelOnSignals } from '../job/cancel-on-signals.js';
import type { Cancellation } from '../job/cancellation.js';
import { addPhases } from '../trace/step-trace.js';
import { agentKey } from './agent-key.js';
import type { AgentLink } from './handshake.js';
import { jobMessage } from './job-message.js';
import { agentLink } from './start-agent.js';

// The thin client a remote step is: it checks the request (so its mistakes are one line at once),
// hands it to the project's agent, writes the step's output as it streams back, and exits with the
// step's status. It loads neither ssh2 nor the AWS SDK.

type Outcome = { status: number } | { agentGone: true; ran: boolean };

class RemoteError extends Error {
  constructor(message: string, stack: string) {
    super(message);
    this.stack = stack;
  }
}

/** Sends the job on an agent link and plays its frames back until the step's end or the agent's. */
function runOn(link: AgentLink, job: JobMessage, cancellation: Cancellation): Promise<Outcome> {
  const { socket, reader } = link;
  let ran = false;
  let settled: Outcome | Error | undefined;
  cancellation.onCancel(() => {
    if (!socket.destroyed)
      socket.write(encodeMessage({ type: 'cancel', signal: cancellation.received! }));
  });
  return new Promise((resolvePromise, reject) => {
    const handle = (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        if (frame.kind === FrameKind.Message)
          settled ??= outcomeOf(frame.message, () => (ran = true));
        else (frame.kind === FrameKind.Stdout ? process.stdout : process.stderr).write(frame.bytes);
      }
    };
    socket.on('data', handle);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      const outcome = settled ?? { agentGone: true as const, ran };
      if (outcome instanceof Error) reject(outcome);
      else resolvePromise(outcome);
    });
    socket.write(encodeMessage(job));
    socket.resume();
  });
}

function outcomeOf(message: AgentMessage, running: () => void): Outcome | Error | undefined {
  if (message.type === 'exit' || message.type === 'error') addPhases(message.phases ?? []);
  if (message.type === 'running') running();
  else if (message.type === 'exit') return { status: message.status };
  else if (message.type === 'error')
    return message.stack
      ? new RemoteError(message.message, message.stack)
      : new UserError(message.message);
  return undefined;
}

/**
 * A step through the agent (on an instance, or on an engine over the build's one channel). When the agent dies before the step started on the instance, it is
 * retried once with a new agent (nothing ran); after that, the step fails with one line.
 */
export async function runThroughAgent(request: JobRequest): Promise<number> {
  const message = jobMessage(request, process.cwd(), process.env);
  const { stateDir } = message.request;
  const key = agentKey();
  const signals = cancelOnSignals();
  const { cancellation } = signals;
  try {
    for (let attempt = 1; ; attempt++) {
      const link = await agentLink(stateDir, key);
      if (cancellation.received) return cancellation.exitStatus();
      const outcome = await runOn(link, message, cancellation);
      if (cancellation.received) return cancellation.exitStatus();
      if ('status' in outcome) return outcome.status;
      if (outcome.ran || attempt === 2) {
        const when = outcome.ran ? 'during the step' : 'before the step started';
        throw new UserError(
          `the agent (pid ${link.pid}) ended ${when}; its log is ${agentLogPath(stateDir, key)}`,
        );
      }
    }
  } finally {
    signals.dispose();
  }
}
