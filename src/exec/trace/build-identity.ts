import { readFileSync } from 'node:fs';

// Which build a step belongs to: the ninja or make invocation that started it. Both run each command
// through `sh -c`, so the build is the nearest ancestor that is not such a shell. A step started by
// hand from an interactive shell is a build of its own.

export interface BuildIdentity {
  /** The build process's pid and start time, which tell a reused pid apart. */
  id: string;
  pid: number;
  /** What a person recognizes it by: 'ninja (pid 4242)'. */
  label: string;
}

const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh', 'ksh', 'mksh', 'busybox', 'fish']);

interface ProcessInfo {
  ppid: number;
  name: string;
  start: string;
  args: string[];
}

function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return { ppid: Number(fields[1]), name, start: fields[19] ?? '', args };
  } catch {
    return undefined;
  }
}

/** `sh -c CMD`, `bash -ec CMD`: a shell running one command line for its parent. */
const isCommandShell = (info: ProcessInfo) =>
  SHELLS.has(info.name) && /^-\w*c\w*$/.test(info.args[1] ?? '');

/** The build that started the step process `self` (this one, or the agent's client). */
export function currentBuild(self = process.pid): BuildIdentity {
  const parent = self === process.pid ? process.ppid : (processInfo(self)?.ppid ?? 0);
  let pid = parent;
  let info = processInfo(pid);
  while (info && isCommandShell(info) && info.ppid > 1) {
    pid = info.ppid;
    info = processInfo(pid);
  }
  // Without /proc only the parent is known.
  if (!info) return { id: `${parent}`, pid: parent, label: `pid ${parent}` };
  if (SHELLS.has(info.name)) {
    const started = processInfo(self)?.start;
    return { id: `${self}:${started}`, pid: self, label: 'remote-exec by hand' };
  }
  return { id: `${pid}:${info.start}`, pid, label: `${info.name} (pid ${pid})` };
}
