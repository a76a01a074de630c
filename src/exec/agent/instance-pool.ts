import { Writable } from 'node:stream';
import type { Transport } from '../../transport/index.js';
import { readInstanceState, type InstanceState } from '../instance/instance-state.js';
import { reachInstance } from '../instance/provision.js';
import type { Progress } from '../progress.js';
import type { LentInstance } from '../job/remote-job.js';
import type { JobProfile } from '../select-profile.js';
import { environmentId } from '../../api/profile.js';
import { currentMessages, withMessagesTo } from './message-route.js';

/**
 * sshd's MaxSessions caps channels per connection at 10 by default. A job uses one at a time, but
 * sshd frees a channel's slot a little after the client sees it close, so the next one of the job
 * may briefly overlap it: 8 jobs per connection saw "open failed" under load, 4 leave room.
 */
const JOBS_PER_CONNECTION = 4;

interface Pooled {
  transport: Transport;
  jobs: number;
}

/** The connections to one profile's instance, shared by its jobs, more opened as jobs need them. */
class ProfileConnections {
  #state: InstanceState | undefined;
  #connections: Pooled[] = [];
  #opening: Promise<void> | undefined;
  /**
   * The stderr of each step waiting for a connection, in the order they came. Provisioning progress
   * (and a setup script's output) goes to the first still waiting, so that `make -j16`, whose steps
   * share one terminal, shows it once.
   */
  readonly #waiting = new Set<NodeJS.WritableStream>();

  constructor(
    private readonly job: JobProfile,
    private readonly log: (line: string) => void,
  ) {}

  async lend(progress: Progress): Promise<LentInstance> {
    for (;;) {
      this.#dropStale();
      const free = this.#connections
        .filter((pooled) => pooled.jobs < JOBS_PER_CONNECTION)
        .sort((a, b) => a.jobs - b.jobs)[0];
      if (free) {
        free.jobs++;
        return this.#lent(free);
      }
      const messages = currentMessages();
      this.#waiting.add(messages);
      this.#opening ??= this.#open(progress).finally(() => (this.#opening = undefined));
      try {
        await this.#opening;
      } finally {
        this.#waiting.delete(messages);
      }
    }
  }

  /** A lost connection, or all of them when the instance was replaced meanwhile, is let go. */
  #dropStale(): void {
    const recorded = readInstanceState(this.job.stateDir, this.job.id);
    const replaced =
      this.#state !== undefined &&
      (recorded?.instanceId !== this.#state.instanceId || recorded.address !== this.#state.address);
    const stale = this.#connections.filter((pooled) => replaced || pooled.transport.lost);
    if (stale.length === 0) return;
    this.log(
      `letting ${stale.length} connection(s) go (${replaced ? 'instance replaced' : 'lost'})`,
    );
    this.#connections = this.#connections.filter((pooled) => !stale.includes(pooled));
    for (const pooled of stale) if (pooled.jobs === 0) void pooled.transport.close();
    if (replaced) this.#state = undefined;
  }

  /** Another connection, through the usual provisioning: it launches or repairs only when needed. */
  async #open(progress: Progress): Promise<void> {
    const firstWaiting = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        const [first] = this.#waiting;
        first?.write(chunk);
        done();
      },
    });
    const { state, transport } = await withMessagesTo(firstWaiting, () =>
      reachInstance(this.job, progress),
    );
    this.#state = state;
    this.#connections.push({ transport, jobs: 0 });
    this.log(
      `opened connection ${this.#connections.length} to ${state.instanceId} at ${state.address}`,
    );
  }

  #lent(pooled: Pooled): LentInstance {
    return {
      state: this.#state!,
      transport: pooled.transport,
      release: async (ended) => {
        pooled.jobs--;
        // After a drop the job attached again on a connection of its own.
        if (ended !== pooled.transport) await ended.close();
        if (pooled.jobs === 0 && !this.#connections.includes(pooled))
          await pooled.transport.close();
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.#connections.map((pooled) => pooled.transport.close()));
    this.#connections = [];
  }
}

/** Every profile's connections in this agent. */
export class InstancePool {
  readonly #profiles = new Map<string, ProfileConnections>();

  constructor(private readonly log: (line: string) => void) {}

  lend(job: JobProfile, progress: Progress): Promise<LentInstance> {
    // The environment (options.setup, options.requires) is not part of the profile id: a changed
    // one gets connections of its own, opened through provisioning, which prepares the instance.
    const key = `${job.id}\0${environmentId(job.profile) ?? ''}\0${job.baseDir}`;
    let connections = this.#profiles.get(key);
    if (!connections) {
      connections = new ProfileConnections(job, this.log);
      this.#profiles.set(key, connections);
    }
    return connections.lend(progress);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#profiles.values()].map((connections) => connections.close()));
  }
}
