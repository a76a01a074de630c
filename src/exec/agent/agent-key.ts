import { sha256Hex } from '../../util/sha256.js';

// The agent provisions with the environment it started with (AWS credentials, profile, endpoint,
// region, HOME for ~/.aws, an ssh agent). Steps run with another such environment get their own
// agent, so none ever provisions with credentials its step was not given.
const PROVISIONING_ENVIRONMENT =
  /^(AWS_.*|HOME|SSH_AUTH_SOCK|SCONS_REMOTE_LOCK_WAIT_MINUTES|(HTTPS?|NO)_PROXY)$/i;

/** Names the project's agent for this environment: a one-way digest, so no secret is written. */
export function agentKey(env: NodeJS.ProcessEnv = process.env): string {
  const entries = Object.entries(env)
    .filter(([name]) => PROVISIONING_ENVIRONMENT.test(name))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return sha256Hex(JSON.stringify(entries)).slice(0, 16);
}
