import type { StepMessage } from '../../api/agent-protocol.js';
import type { JobRequest } from '../../api/job-request.js';
import { stateDirOf } from '../../layout/local-state.js';
import { isLocalMode } from '../job/mode.js';
import { plainStepArgs } from '../step-args.js';
import { agentKey } from './agent-key.js';

/** The agent a native client reached: its state folder and the key of its environment. */
export interface AgentIdentity {
  stateDir: string;
  key: string;
}

/**
 * The native client's step as the node client reads it, or why this agent is not the one to run it
 * (the client found the socket by its own reading of the arguments and environment: this checks it).
 */
export function readStep(
  step: StepMessage,
  agent: AgentIdentity,
): JobRequest | { fallback: string } {
  const request = plainStepArgs(step.argv);
  if (!request) return { fallback: 'arguments the node client reads' };
  try {
    if (isLocalMode(step.env)) return { fallback: 'local mode' };
  } catch {
    return { fallback: 'SCONS_REMOTE_MODE, which the node client reports' };
  }
  if (stateDirOf(request, step.cwd) !== agent.stateDir) return { fallback: 'another state folder' };
  if (agentKey(step.env) !== agent.key) return { fallback: 'another environment' };
  return request;
}
