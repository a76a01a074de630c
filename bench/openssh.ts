import { run } from './run.js';
import { join } from 'node:path';
import { OPENSSH_OPTIONS } from '../test/helpers/cloud.js';
import { shellJoin } from '../src/util/shell-quote.js';

// The baselines: what a user would run by hand with OpenSSH against the same instance.

export class OpenSsh {
  readonly destination: string;
  readonly #options: string[];

  constructor(host: string, user: string, privateKeyPath: string) {
    this.destination = `${user}@${host}`;
    this.#options = ['-i', privateKeyPath, ...OPENSSH_OPTIONS];
  }

  /** `ssh host COMMAND` over a new connection, as shell text. */
  ssh(command: string, extra: string[] = []): string {
    return shellJoin(['ssh', ...this.#options, ...extra, this.destination, command]);
  }

  scpUp(localPath: string, remotePath: string): string {
    return shellJoin([
      'scp',
      '-q',
      ...this.#options,
      localPath,
      `${this.destination}:${remotePath}`,
    ]);
  }

  scpDown(remotePath: string, localPath: string): string {
    return shellJoin([
      'scp',
      '-q',
      ...this.#options,
      `${this.destination}:${remotePath}`,
      localPath,
    ]);
  }

  rsyncUp(localPath: string, remotePath: string): string {
    const shell = shellJoin(['ssh', ...this.#options]);
    return shellJoin(['rsync', '-a', '-e', shell, localPath, `${this.destination}:${remotePath}`]);
  }

  rsyncDown(remotePath: string, localPath: string): string {
    const shell = shellJoin(['ssh', ...this.#options]);
    return shellJoin(['rsync', '-a', '-e', shell, `${this.destination}:${remotePath}`, localPath]);
  }

  /**
   * Starts a ControlMaster (OpenSSH's shared connection) in `dir`; `commandOver` runs over it, `stop`
   * ends it.
   */
  async controlMaster(
    dir: string,
  ): Promise<{ commandOver: (command: string) => string; stop: () => Promise<void> }> {
    const socket = join(dir, 'control.sock');
    const control = ['-S', socket];
    await run([
      'ssh',
      ...this.#options,
      ...control,
      '-M',
      '-f',
      '-N',
      '-o',
      'ControlPersist=yes',
      this.destination,
    ]);
    return {
      commandOver: (command) => this.ssh(command, [...control, '-o', 'ControlMaster=no']),
      stop: () => run(['ssh', ...control, '-O', 'exit', this.destination]),
    };
  }
}
