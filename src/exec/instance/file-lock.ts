import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../util/user-error.js';

/** Who holds a lock: a pid alone would name whatever process reuses it after the holder died. */
interface Holder {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: the process's start time since boot, in clock ticks. */
  start?: string;
  host?: string;
  since?: string;
}

/** How long a step waits for a lock before giving up (minutes); SCONS_REMOTE_LOCK_WAIT_MINUTES overrides it. */
const DEFAULT_WAIT_MINUTES = 20;

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The holder, 'gone' when the lock was just released, 'unreadable' for a file no remote-exec wrote whole. */
function readHolder(path: string): Holder | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return 'gone';
  }
  try {
    const parsed = JSON.parse(text) as Holder | number;
    // Earlier versions wrote the bare pid.
    const holder = typeof parsed === 'number' ? { pid: parsed } : parsed;
    return Number.isInteger(holder?.pid) && holder.pid > 0 ? holder : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

function describeHolder(holder: Holder): string {
  return `pid ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}${holder.since ? ` (since ${holder.since})` : ''}`;
}

/** False only when the holder is surely gone: its pid is free, or now names a process that started later. */
function holderAlive(holder: Holder): boolean {
  if (holder.host !== undefined && holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return holder.start === undefined || startTime(holder.pid) === holder.start;
}

/** The lock file appears with its holder already in it (written aside, then hard-linked), so no reader sees it empty. */
function tryAcquire(path: string): boolean {
  const mine = `${path}.${process.pid}`;
  const holder: Holder = {
    pid: process.pid,
    start: startTime(process.pid),
    host: hostname(),
    since: new Date().toISOString(),
  };
  writeFileSync(mine, JSON.stringify(holder), { mode: 0o600 });
  try {
    linkSync(mine, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    rmSync(mine, { force: true });
  }
}

function waitLimitMs(): number {
  const minutes = Number(process.env.SCONS_REMOTE_LOCK_WAIT_MINUTES);
  return (minutes > 0 ? minutes : DEFAULT_WAIT_MINUTES) * 60_000;
}

/**
 * Runs `work` while holding an exclusive lock file among processes of this machine (concurrent shims of one
 * build, or of parallel `make -j`). A lock whose holder is gone is taken over; waiting for a live one is said
 * (`onWait` gets who holds it) and bounded.
 */
export async function withFileLock<T>(
  path: string,
  work: () => Promise<T>,
  onWait?: (holder: string) => void,
): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + waitLimitMs();
  let delay = 20;
  let waitingFor: string | undefined;
  while (!tryAcquire(path)) {
    const holder = readHolder(path);
    if (holder === 'gone') continue;
    if (holder === 'unreadable' || !holderAlive(holder)) {
      rmSync(path, { force: true });
      continue;
    }
    const who = describeHolder(holder);
    if (who !== waitingFor) onWait?.(who);
    waitingFor = who;
    if (Date.now() > deadline) {
      throw new UserError(
        `gave up waiting for ${path}, held by ${who}; if that is no remote-exec of this build, remove the file`,
      );
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 250);
  }
  try {
    return await work();
  } finally {
    rmSync(path, { force: true });
  }
}
