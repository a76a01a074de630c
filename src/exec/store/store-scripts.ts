import type { Digest } from '../../cas/digest.js';
import { INSTANCE_PATHS } from '../../layout/instance-home.js';
import { shellJoin } from '../../util/shell-quote.js';

// The store's side on the instance (POSIX sh, coreutils, findutils, tar): a process per script,
// never one per file, so a step with a thousand inputs costs what a step with one does.
//
// A blob is named by its hash, `.x` added for executable content (hard links share one mode, so an
// executable and a plain copy of the same bytes are two blobs). Job folders hard-link the blobs.
// Blobs are read-only and private to the login user (0400, or 0500) and carry one fixed mtime: a command that writes to an input
// in place fails with "Permission denied" (as under Bazel's sandbox) instead of altering the store,
// and one that makes it writable first changes its mode and mtime, which the next query sees as a
// damaged blob and has sent again. Inputs thus show that fixed mtime on the instance. Its odd
// nanoseconds are what no tool restoring whole seconds produces: only a deliberate forgery of
// mode and mtime together would go unseen (hashing every reused blob again would cost a 200 MB
// input a second per step). A query also compares sizes; a warm start, which checks the job
// folder's links with one find, compares modes and mtimes only.
// Recency is the blob's ctime, which every new hard link (each use in a job) renews: eviction drops
// the blobs used longest ago until the store fits its bound.

/** 2000-01-01T00:00:00.271828182Z: fixed, and after 1980 for zip tools. */
const BLOB_MTIME = '946684800.271828182';

/** The store's bound when the connection sets none. */
export const DEFAULT_STORE_MEGABYTES = 4096;

/** The upload or the job folder could not be completed (a blob evicted meanwhile): start again. */
export const STORE_RETRY = 3;
/** Blobs that do not hash to their name arrived (an input changed after it was hashed). */
export const STORE_CHANGED = 4;

export function blobName(digest: Digest, isExecutable: boolean): string {
  return isExecutable ? `${digest.hash}.x` : digest.hash;
}

/** The line a query asks about: the blob's name, size, mtime and mode as `stat` shows a sound one. */
export function wantedLine(digest: Digest, isExecutable: boolean): string {
  const mode = isExecutable ? '500' : '400';
  return `${blobName(digest, isExecutable)}:${digest.sizeBytes}:${BLOB_MTIME}:${mode}\n`;
}

const prelude = (jobId: string) =>
  `umask 077; ${INSTANCE_PATHS}; id=${jobId}; job="$jobs/$id"; in="$incoming/$id"`;

// Blobs received in $in become the store's: read-only, the fixed mtime, then renamed into place.
const COMMIT = `commit() {
  ( cd "$in" &&
    find . -type f ! -name '*.x' -exec chmod 400 {} + &&
    find . -type f -name '*.x' -exec chmod 500 {} + &&
    find . -type f -exec touch -d @${BLOB_MTIME} {} + &&
    find . -type f -exec mv -f -t "$store" {} + ) && rm -rf "$in"
}`;

/** BLOB_MTIME less a nanosecond: find's -newermt is "strictly newer". */
const BEFORE_BLOB_MTIME = '946684800.271828181';

/**
 * Shell text for the start of a step (step-supervisor.ts), run in the login user's home when every
 * input was hashed before (so the store likely has them all): reads `linkBytes` of a gzipped tar of
 * the job folder's links into the store and makes the folder. A blob missing, or one whose mode or
 * mtime is not a sound blob's, makes it print `query` and exit instead, leaving no folder: the
 * client then asks which blobs to send. Five processes, where asking first would take a dozen.
 */
export function linkScript(linkBytes: number): string {
  const unsound =
    `find "$job" -type f ! \\( \\( -perm 400 -o -perm 500 \\) ` +
    `-newermt @${BEFORE_BLOB_MTIME} ! -newermt @${BLOB_MTIME} \\) -print -quit`;
  return [
    '( umask 077',
    `  head -c ${linkBytes} | tar -xz --no-same-owner -f - 2>/dev/null &&`,
    `    [ -z "$(${unsound})" ] && exit 0`,
    '  rm -rf "$job"; echo query; exit 1',
    ') || exit 0',
  ].join('\n');
}

/**
 * Reads `wantedBytes` of gzipped wanted lines on stdin, then a gzipped tar of the job folder's
 * links into the store. Prints the names of blobs the store lacks (or holds damaged); when none,
 * it extracts the tar, so the job folder is made.
 */
export function queryAndLinkScript(jobId: string, wantedBytes: number): string {
  return [
    prelude(jobId),
    '[ -d "$store" ] || mkdir -p "$store" || exit 1',
    `wanted=$(head -c ${wantedBytes} | gzip -dc)`,
    'missing=$(cd "$store" && {',
    '  printf "%s\\n" "$wanted"',
    '  printf "%s\\n" "$wanted" | cut -d: -f1 | xargs -r stat -c "%n:%s:%.9Y:%a" -- 2>/dev/null',
    '} | LC_ALL=C sort | uniq -u | cut -d: -f1 | uniq)',
    'if [ -n "$missing" ]; then printf "%s\\n" "$missing"; exec cat > /dev/null; fi',
    'tar -xz --no-same-owner -f - && exit 0',
    `cat > /dev/null; rm -rf "$job"; exit ${STORE_RETRY}`,
  ].join('\n');
}

/**
 * Extracts a tar of missing blobs (into $in) and of the job folder's links, checks every received
 * blob's hash (printing `name: FAILED` for the wrong ones), then commits them to the store.
 */
export function uploadScript(jobId: string): string {
  return [
    prelude(jobId),
    COMMIT,
    'rm -rf "$job" "$in"; mkdir -p "$in" || exit 1',
    'if ! tar -x --no-same-owner -f -; then',
    `  cat > /dev/null; rm -rf "$job" "$in"; exit ${STORE_RETRY}`,
    'fi',
    'sums=$(cd "$in" && for f in *; do [ -f "$f" ] && printf "%s  %s\\n" "${f%.x}" "$f"; done)',
    'if [ -n "$sums" ] && ! bad=$(cd "$in" && printf "%s\\n" "$sums" | sha256sum -c --quiet); then',
    `  printf "%s\\n" "$bad"; rm -rf "$job" "$in"; exit ${STORE_CHANGED}`,
    'fi',
    'commit',
  ].join('\n');
}

/**
 * Shell text defining `keep` for a step's control lines (step-supervisor.ts): adds the finished
 * job's output files to the store (hashed there, hard-linked), then evicts the blobs used longest
 * ago until the store holds at most `storeMegabytes`; leftovers of uploads cut short an hour ago go too.
 */
export function keepFunction(
  outputs: readonly string[],
  storeMegabytes = DEFAULT_STORE_MEGABYTES,
): string {
  const limitBytes = storeMegabytes * 1024 * 1024;
  const roots = shellJoin(outputs.map((output) => `./${output}`));
  return [
    'keep() ( umask 077; in="$incoming/$id"',
    COMMIT,
    'mkdir -p "$in" "$store" || exit 1',
    ...(outputs.length
      ? [
          `cd "$job" && find ${roots} -type f -exec sha256sum -- {} + 2>/dev/null |`,
          '  while IFS= read -r line; do',
          // sha256sum escapes odd names with a leading backslash: such outputs are left out.
          '    case $line in \\\\*) continue ;; esac',
          '    hash=${line%% *}; path=${line#*  }; name=$hash',
          '    [ -x "$path" ] && name=$hash.x',
          '    [ -e "$store/$name" ] || ln -f -- "$path" "$in/$name"',
          '  done',
        ]
      : []),
    'commit',
    'cd "$store" && find . -maxdepth 1 -type f -printf "%C@ %s %f\\n" | sort -rn | {',
    '  total=0',
    '  while read -r _ size name; do',
    `    total=$((total + size)); [ "$total" -gt ${limitBytes} ] && printf "%s\\n" "$name"`,
    '  done; } | xargs -r rm -f --',
    'find "$incoming" -mindepth 1 -maxdepth 1 -mmin +60 -exec rm -rf {} +',
    ')',
  ].join('\n');
}
