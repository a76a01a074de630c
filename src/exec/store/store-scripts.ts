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
export const BLOB_MTIME = '946684800.271828182';

/** A sound blob's mode: read-only, executable content executable. */
export function blobMode(isExecutable: boolean): number {
  return isExecutable ? 0o500 : 0o400;
}

/** The store's bound when the connection sets none. */
export const DEFAULT_STORE_MEGABYTES = 4096;

/** The upload or the job folder could not be completed (a blob evicted meanwhile): start again. */
export const STORE_RETRY = 3;
/** The client saw an input change after it was hashed: what arrived is not what its name says. */
export const STORE_CHANGED = 4;

/** The verdict on an upload whose every blob is what its name says. */
export const UPLOAD_SOUND = 'sound';

export function blobName(digest: Digest, isExecutable: boolean): string {
  return isExecutable ? `${digest.hash}.x` : digest.hash;
}

/** The line a query asks about: the blob's name, size, mtime and mode as `stat` shows a sound one. */
export function wantedLine(digest: Digest, isExecutable: boolean): string {
  const mode = blobMode(isExecutable).toString(8);
  return `${blobName(digest, isExecutable)}:${digest.sizeBytes}:${BLOB_MTIME}:${mode}\n`;
}

const prelude = (jobId: string) =>
  `umask 077; ${INSTANCE_PATHS}; id=${jobId}; job="$jobs/$id"; in="$incoming/$id"`;

// Blobs in $in, sound already, join the store by a rename each.
const COMMIT = `commit() {
  find "$in" -type f -exec mv -f -t "$store" -- {} + && rm -rf "$in"
}`;

// Outputs linked into $in become sound blobs (read-only, the fixed mtime), then the store's.
const SEAL_AND_COMMIT = `${COMMIT}
seal_and_commit() {
  ( cd "$in" &&
    find . -type f ! -name '*.x' -exec chmod 400 {} + &&
    find . -type f -name '*.x' -exec chmod 500 {} + &&
    find . -type f -exec touch -d @${BLOB_MTIME} {} + ) && commit
}`;

/**
 * The job id of a links archive (linksOf), which serves every job of its plan: extraction renames
 * its folder to the job's (GNU tar's --transform, which leaves the store's link targets alone).
 */
export const LINKS_JOB_ID = 'links';

const TO_THIS_JOB = `--transform="s,^jobs/${LINKS_JOB_ID},jobs/$id,"`;

/** BLOB_MTIME less a nanosecond: find's -newermt is "strictly newer". */
const BEFORE_BLOB_MTIME = '946684800.271828181';

/** What a start prints when the tree it was to copy is not on the instance: send the links. */
export const TREE_MISSING = 'tree';

// A tree is renamed away before it is removed. `cp -al` reads a folder's names at once, then links
// each by its path: a tree removed in place could yield a copy short of files and no error, where
// a renamed one fails the copy (or the copy took a complete tree of the same key, same content).
const DROP_TREE = 'mv -T "$tree" "$trees/.gone-$id" 2>/dev/null; rm -rf "$trees/.gone-$id"';

/**
 * Shell text for the start of a step (step-supervisor.ts), run in the login user's home when every
 * input was hashed before (so the store likely has them all). With `linkBytes`, reads that much of
 * a gzipped tar of the job folder's links into the store and makes the folder, then keeps a copy
 * of its links as the tree `treeKey`; without, copies the tree (TREE_MISSING when it is gone). A
 * blob missing, or one whose mode or mtime is not a sound blob's, makes it print `query` and exit
 * instead, leaving no folder (and no tree): the client then asks which blobs to send. Copying a
 * thousand links with `cp -al` costs a quarter of extracting them (108 to 25 ms here).
 */
export function linkScript(linkBytes: number, treeKey: string): string {
  const unsound = (folder: string) =>
    `find "${folder}" -type f ! \\( \\( -perm 400 -o -perm 500 \\) ` +
    `-newermt @${BEFORE_BLOB_MTIME} ! -newermt @${BLOB_MTIME} \\) -print -quit`;
  const refuse = `  ${DROP_TREE}; rm -rf "$job"; echo query; exit 1`;
  const used = ': > "$tree.used"; exit 0';
  if (!linkBytes) {
    // The tree's files are the job's: checked while they are copied (a third less time here).
    return [
      `( umask 077; tree="$trees/${treeKey}"`,
      '  found=$( { cp -al "$tree" "$job" 2>/dev/null || echo :missing; } &',
      `    ${unsound('$tree')} 2>/dev/null; wait )`,
      '  case $found in',
      `    '') ${used} ;;`,
      `    *:missing*) rm -rf "$job"; echo ${TREE_MISSING}; exit 1 ;;`,
      '  esac',
      refuse,
      ') || exit 0',
    ].join('\n');
  }
  return [
    `( umask 077; tree="$trees/${treeKey}"`,
    `  head -c ${linkBytes} | tar -xz -C "$base" --no-same-owner ${TO_THIS_JOB} -f - 2>/dev/null &&`,
    `    [ -z "$(${unsound('$job')})" ] && {`,
    '      { mkdir -p "$trees" && cp -al "$job" "$trees/.$id" &&',
    '        mv -T "$trees/.$id" "$tree"; } 2>/dev/null || rm -rf "$trees/.$id"',
    `      ${used}; }`,
    refuse,
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
    `tar -xz -C "$base" --no-same-owner ${TO_THIS_JOB} -f - && exit 0`,
    `cat > /dev/null; rm -rf "$job"; exit ${STORE_RETRY}`,
  ].join('\n');
}

/** The file, last in an upload's archive, that holds the client's verdict on the blobs before it. */
export const VERDICT_FILE = 'verdict';

/**
 * Extracts a tar of missing blobs (into $in, already read-only with the fixed mtime) and of the job
 * folder's links, whose last file is the client's verdict: UPLOAD_SOUND when every blob sent is
 * what its name says (the client knows, by stat or by hashing what it sends: checking here again
 * would read every blob once more, a 200 MB input half a second). Then commits them.
 */
export function uploadScript(jobId: string): string {
  return [
    prelude(jobId),
    COMMIT,
    'rm -rf "$job" "$in"; mkdir -p "$in" || exit 1',
    'if ! tar -x -C "$base" --no-same-owner -f -; then',
    `  cat > /dev/null; rm -rf "$job" "$in"; exit ${STORE_RETRY}`,
    'fi',
    `verdict=; read -r verdict < "$in/${VERDICT_FILE}"; rm -f "$in/${VERDICT_FILE}"`,
    `[ "$verdict" = ${UPLOAD_SOUND} ] || { rm -rf "$job" "$in"; exit ${STORE_CHANGED}; }`,
    'commit',
  ].join('\n');
}

/**
 * Shell text defining `keep` for a step's control lines (step-supervisor.ts): adds the finished
 * job's output files to the store (hashed there, hard-linked), then evicts the blobs used longest
 * ago until the store holds at most `storeMegabytes`, and with them every tree (their links would
 * keep evicted blobs on the disk). Leftovers of uploads cut short an hour ago go too, and trees
 * unused for 30 minutes, each renamed away first (DROP_TREE).
 */
export function keepFunction(
  outputs: readonly string[],
  storeMegabytes = DEFAULT_STORE_MEGABYTES,
): string {
  const limitBytes = storeMegabytes * 1024 * 1024;
  const roots = shellJoin(outputs.map((output) => `./${output}`));
  return [
    'keep() ( umask 077; in="$incoming/$id"',
    SEAL_AND_COMMIT,
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
    'seal_and_commit',
    // du alone (one process) tells the usual case, a store within its bound, from eviction's.
    'used=$(du -sb "$store") && [ "${used%%[!0-9]*}" -gt ' + limitBytes + ' ] &&',
    '{ cd "$store" && find . -maxdepth 1 -type f -printf "%C@ %s %f\\n" | sort -rn | {',
    '  total=0',
    '  while read -r _ size name; do',
    `    total=$((total + size)); [ "$total" -gt ${limitBytes} ] && printf "%s\\n" "$name"`,
    '  done; } | xargs -r rm -f --',
    // Renamed into incoming, whose leftovers are removed below when a removal is cut short.
    '  mv -T "$trees" "$incoming/trees-$id" 2>/dev/null; rm -rf "$incoming/trees-$id"; }',
    'find "$incoming" -mindepth 1 -maxdepth 1 -mmin +60 -exec rm -rf {} +',
    // Trees unused for 30 minutes, and what a tree's making or removal left when cut short.
    'find "$trees" -mindepth 1 -maxdepth 1 \\( -name ".*" -mmin +60 -exec rm -rf {} + \\) -o \\(',
    '  -name "*.used" -mmin +30 -print \\) 2>/dev/null | while IFS= read -r used; do',
    '  tree=${used%.used}; rm -f "$used"; ' + DROP_TREE,
    'done',
    ')',
  ].join('\n');
}
