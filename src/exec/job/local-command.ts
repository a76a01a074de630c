import { closeSync, fstatSync, readSync, writeSync } from 'node:fs';
import { LOCAL_COMMAND_VARIABLE } from '../../api/local-command.js';
import { UserError } from '../../util/user-error.js';

/** The native client's offer to run a local step's command (src/api/local-command.ts). */
export interface CommandRunner {
  fd: number;
  /** The native client: the step's process as the build sees it. */
  clientPid: number;
}

/**
 * The offer, taken out of the environment so that nothing this process starts inherits it. Only
 * the native client that started this process offers; a value anything else left is ignored.
 */
export function takeCommandRunner(env = process.env): CommandRunner | undefined {
  const offer = env[LOCAL_COMMAND_VARIABLE];
  if (offer === undefined) return undefined;
  delete env[LOCAL_COMMAND_VARIABLE];
  const [, fd, pid] = /^(\d+):(\d+)$/.exec(offer) ?? [];
  if (fd === undefined || Number(pid) !== process.ppid) return undefined;
  try {
    if (!fstatSync(Number(fd)).isSocket()) return undefined;
  } catch {
    return undefined;
  }
  return { fd: Number(fd), clientPid: Number(pid) };
}

/**
 * Closes an offer this process does not take up: its socket has no close-on-exec flag (it crossed
 * an exec), so a process started from here would hold it, and the native client wait for it.
 */
export function declineCommandRunner(runner: CommandRunner | undefined): void {
  if (runner) closeSync(runner.fd);
}

/** Has the native client run `command` with `sh -c`; returns its exit status. */
export function runByNativeClient(runner: CommandRunner, command: string): number {
  try {
    const request = Buffer.from(`${command}\0`);
    for (let sent = 0; sent < request.length;)
      sent += writeSync(runner.fd, request, sent, request.length - sent);
    let answer = '';
    const chunk = Buffer.alloc(32);
    for (let read; !answer.includes('\n') && (read = readSync(runner.fd, chunk)) > 0;)
      answer += chunk.toString('latin1', 0, read);
    const status = /^(\d+)\n$/.exec(answer)?.[1];
    if (status !== undefined) return Number(status);
  } catch {
    // The client is gone: said below.
  } finally {
    closeSync(runner.fd);
  }
  throw new UserError(`the step's process (pid ${runner.clientPid}) ended before its command`);
}
