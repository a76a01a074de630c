import type { BigIntStats } from 'node:fs';

// Telling one version of a file from another by its stat alone, without reading it.
//
// A write moves a file's mtime to the current time as the kernel stamps it: nanosecond fields are
// filled from a clock that ticks every jiffy (at most 10 ms), whole-second filesystems keep seconds.
// So a file last changed at least one tick before a moment cannot be written after that moment
// without its mtime moving: its stat then tells whether it still holds what was read since.
//
// API: fingerprint(stats), unchangedSince(before, sinceNs, after).

/** The clock tick of files whose timestamps carry nanoseconds, with room to spare. */
const FINE_TICK_NS = 50_000_000n;
/** The tick of filesystems that keep whole seconds (their nanoseconds are all zero). */
const SECOND_TICK_NS = 2_000_000_000n;

/** What identifies one version of a file without reading it. */
export function fingerprint(stats: BigIntStats): string {
  return [stats.dev, stats.ino, stats.size, stats.mtimeNs, stats.ctimeNs].join(':');
}

/**
 * Whether a file whose stat was `before`, taken just before a read that began at `sinceNs`
 * (nanoseconds since the epoch), certainly holds the same bytes now that its stat is `after`.
 */
export function unchangedSince(before: BigIntStats, sinceNs: bigint, after: BigIntStats): boolean {
  const whole = before.mtimeNs % 1_000_000_000n === 0n && before.ctimeNs % 1_000_000_000n === 0n;
  const tick = whole ? SECOND_TICK_NS : FINE_TICK_NS;
  const changedNs = before.mtimeNs > before.ctimeNs ? before.mtimeNs : before.ctimeNs;
  return changedNs < sinceNs - tick && sameVersion(before, after);
}

/** fingerprint(a) === fingerprint(b), without making the strings (a plan checks a thousand). */
function sameVersion(a: BigIntStats, b: BigIntStats): boolean {
  return (
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs
  );
}
