import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Every process of a cloud: the unshare wrappers (their command line names the cloud's state folder) and all
 * their descendants, i.e. each instance's sshd and whatever its sessions started.
 */
export function cloudProcesses(stateDir: string): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [pid, ppid, ...args] = line.trim().split(/\s+/);
      return { pid: Number(pid), ppid: Number(ppid), args: args.join(' ') };
    });
  const found = new Set(
    rows
      .filter((row) => row.args.startsWith('unshare') && row.args.includes(stateDir))
      .map((row) => row.pid),
  );
  for (let grew = true; grew;) {
    grew = false;
    for (const row of rows)
      if (found.has(row.ppid) && !found.has(row.pid)) {
        found.add(row.pid);
        grew = true;
      }
  }
  return [...found];
}

/** The pids among these that still exist as more than a zombie. */
export function alive(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      return false;
    }
  });
}

export async function waitUntilGone(pids: number[], timeoutMs = 3000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pids).length > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  return alive(pids);
}
