import { statSync, type BigIntStats } from 'node:fs';
import { unchangedSince } from '../../cas/file-version.js';

// The agent plans the same inputs step after step. Remembering its last plans by their input list
// spares a step whose inputs are unchanged the hash cache, the tree and the links archive (60 to
// 90 ms for a thousand inputs here) for one stat of each file. Lists of files only: a folder's new
// entries would need every subfolder's stat from before the walk.
//
// API: rememberPlan(key, plan, stats), rememberedPlan(key).

/** Plans kept, the least recently used dropped first. */
const MAX_PLANS = 64;

interface Remembered<Plan> {
  plan: Plan;
  /** Each input file's stat as the plan read it. */
  stats: Map<string, BigIntStats>;
  /** When the plan began, nanoseconds since the epoch. */
  startedNs: bigint;
}

const plans = new Map<string, Remembered<unknown>>();

/** Remembers `plan` of the files in `stats` (absolute paths), begun at `startedNs`. */
export function rememberPlan<Plan>(
  key: string,
  plan: Plan,
  stats: Map<string, BigIntStats>,
  startedNs: bigint,
): void {
  plans.delete(key);
  plans.set(key, { plan, stats, startedNs });
  if (plans.size > MAX_PLANS) plans.delete(plans.keys().next().value!);
}

function unchanged(path: string, before: BigIntStats, sinceNs: bigint): boolean {
  try {
    return unchangedSince(before, sinceNs, statSync(path, { bigint: true }));
  } catch {
    return false;
  }
}

/** The plan remembered under `key` when every one of its files is as it was planned. */
export function rememberedPlan<Plan>(key: string): Plan | undefined {
  const remembered = plans.get(key) as Remembered<Plan> | undefined;
  if (!remembered) return undefined;
  for (const [path, before] of remembered.stats) {
    if (!unchanged(path, before, remembered.startedNs)) {
      plans.delete(key);
      return undefined;
    }
  }
  plans.delete(key);
  plans.set(key, remembered);
  return remembered.plan;
}
