import type { JobMessage } from '../../api/agent-protocol.js';
import { runReapiJob } from '../job/reapi-job.js';
import type { JobContext } from '../job/remote-job.js';
import { selectEngine } from '../select-profile.js';
import type { EngineChannels } from './engine-channels.js';

/**
 * The job a step's message names when its profile is an engine's: run on the build's channel to
 * it; undefined for an instance's profile.
 */
export function engineJob(
  message: JobMessage,
  channels: EngineChannels,
  context: Pick<JobContext, 'cwd' | 'output' | 'cancellation'>,
): (() => Promise<number>) | undefined {
  const engine = selectEngine(message.request);
  if (!engine) return undefined;
  return async () => {
    const channel = await channels.channel(engine.options, message.environment ?? {});
    return runReapiJob(message.request, engine, { ...context, channel });
  };
}
