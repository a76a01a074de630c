import { constants } from 'node:os';

/** The shell's convention: a process killed by signal N reports 128 + N. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
}
