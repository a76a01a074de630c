import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function holderAlive(path: string): boolean {
  try {
    const pid = Number(readFileSync(path, 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock file appears with its pid already in it (written aside, then hard-linked), so no reader sees it empty. */
function tryAcquire(path: string): boolean {
  const mine = `${path}.${process.pid}`;
  writeFileSync(mine, String(process.pid), { mode: 0o600 });
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

/**
 * Runs `work` while holding an exclusive lock file among processes of this machine (concurrent shims of one
 * build, or of parallel `make -j`). A lock left by a killed process is taken over, since its pid is gone.
 */
export async function withFileLock<T>(path: string, work: () => Promise<T>, onWait?: () => void): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  let delay = 20;
  let waited = false;
  while (!tryAcquire(path)) {
    if (!holderAlive(path)) {
      rmSync(path, { force: true });
      continue;
    }
    if (!waited) onWait?.();
    waited = true;
    await sleep(delay);
    delay = Math.min(delay * 2, 250);
  }
  try {
    return await work();
  } finally {
    rmSync(path, { force: true });
  }
}
