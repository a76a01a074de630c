import { createHash } from 'node:crypto';
import type { Engine } from '../../reapi/engine.js';
import type { EngineOptions } from '../../reapi/engine-options.js';

// The agent's gRPC channels to Remote Execution API engines: one per engine connection and
// credentials, shared by every step of a build (an HTTP/2 connection carries their calls side by
// side). gRPC is loaded on the first engine step, so an agent serving instances never loads it.

export class EngineChannels {
  readonly #channels = new Map<string, Engine>();

  constructor(private readonly log: (line: string) => void) {}

  /** The channel for `options` with the credentials in `variables` (named by headersFromEnv). */
  async channel(options: EngineOptions, variables: Record<string, string>): Promise<Engine> {
    // What the channel is made of: steps that differ only in platform or timeout share one. A
    // digest, so that the map's keys hold no credential in the clear.
    const { endpoint, instanceName, headersFromEnv, tls } = options;
    const made = [endpoint, instanceName, headersFromEnv, tls, variables];
    const key = createHash('sha256').update(JSON.stringify(made)).digest('hex');
    let channel = this.#channels.get(key);
    if (!channel) {
      const { Engine } = await import('../../reapi/engine.js');
      // Another step may have made it while gRPC loaded.
      channel = this.#channels.get(key) ?? new Engine(options, variables);
      if (!this.#channels.has(key)) {
        this.#channels.set(key, channel);
        this.log(`opened a channel to engine ${options.endpoint}`);
      }
    }
    return channel;
  }

  close(): void {
    for (const channel of this.#channels.values()) channel.close();
    this.#channels.clear();
  }
}
