import { posix } from 'node:path';
import { shellJoin, shellQuote } from '../../util/shell-quote.js';
import { INSTANCE_PATHS } from '../../layout/instance-home.js';

// A step runs on the instance under a supervisor (POSIX sh, coreutils; the instance has nothing more),
// so that a client that is gone (killed, or its network down longer than the heartbeat bound) or that
// cancels stops the step and its whole process group, and a client that only lost its connection can
// attach again and read the rest of the output from the logs (paths: src/layout/instance-home.ts).

/** The exit status of an attach that found no step to attach to (cleaned up after its client was away). */
export const STEP_GONE = 3;

/** What ends the step's output on its stderr stream: the marker, the exit status, a newline. */
export function statusMarker(jobId: string): string {
  return `\x1escons-remote:${jobId}:`;
}

const PRELUDE = (jobId: string) =>
  [INSTANCE_PATHS, `id=${jobId}`, 'job="$jobs/$id"', 'ctl="$steps/$id"'].join('; ');

const TRAILER = `trailer() { printf '\\036scons-remote:%s:%s\\n' "$id" "$1" >&2; }`;

// Files are touched with `: >` (truncating sets the mtime, as touch does) to spare a process each.
// Reads the client's control lines: `beat` periodically, `cancel` on Ctrl-C, `done` once it has the
// outputs. End of input means the client or its connection is gone: the heartbeat then lapses.
const SERVE = `while IFS= read -r line; do
  case $line in
    beat) : > "$ctl/beat" ;;
    cancel) : > "$ctl/cancel"; kill -TERM -"$(cat "$ctl/step.pid")" 2>/dev/null ;;
    done) : > "$ctl/done"; exit 0 ;;
  esac
done`;

// Runs detached (its own session), so a dropped connection does not touch it. The step gets its own
// process group; tee -p copies its output to the logs and, while the connection lives, to the client.
// Its pid in the running marker keeps the idle watchdog waiting until the outputs are fetched or the
// client is gone.
const SUPERVISOR = `trap '' HUP PIPE
${INSTANCE_PATHS}
id=$1 bound=$2 grace=$3 command=$4
job="$jobs/$id" ctl="$steps/$id"
${TRAILER}
fresh() { [ $(( $(date +%s) - $(stat -c %Y "$ctl/beat" 2>/dev/null || echo 0) )) -lt "$bound" ]; }
echo $$ > "$running/$id"; : > "$activity"; echo "$id" >> "$jobs_log"
tee -p -a "$ctl/out" < "$ctl/o" & echo $! > "$ctl/out.pid"
tee -p -a "$ctl/err" < "$ctl/e" >&2 & echo $! > "$ctl/err.pid"
setsid sh -c "$command" > "$ctl/o" 2> "$ctl/e" < /dev/null &
step=$!
echo $step > "$ctl/step.pid"
{ while sleep 1; do
    if [ -e "$ctl/cancel" ] || ! fresh; then
      { kill -TERM -$step; sleep "$grace"; kill -KILL -$step; } &
      exit
    fi
  done; } > /dev/null 2>&1 &
watcher=$!
wait $step
status=$?
kill $watcher
wait
echo $status > "$ctl/status"
trailer $status
exec > /dev/null 2>&1
while [ ! -e "$ctl/done" ] && [ ! -e "$ctl/cancel" ] && fresh; do sleep 1; done
rm -rf "$job" "$ctl"
rm -f "$running/$id"
touch "$activity"`;

export interface StepStart {
  jobId: string;
  command: string;
  /** Where the command runs, relative to the job folder ('' for the folder itself). */
  workDir: string;
  /** Outputs relative to the job folder; their folders exist before the command runs, as ninja makes them. */
  outputs: readonly string[];
  heartbeatSeconds: number;
}

/** Seconds between TERM and KILL of a step's process group. */
const KILL_GRACE_SECONDS = 3;

/** The one command that starts a step under its supervisor, streams its output, then reads control lines. */
export function startStepCommand(step: StepStart): string {
  const outputDirs = [
    ...new Set(step.outputs.map((output) => posix.dirname(output)).filter((dir) => dir !== '.')),
  ];
  const outputsReady = outputDirs.length ? `&& mkdir -p -- ${shellJoin(outputDirs)}` : '';
  const workDir = shellQuote(step.workDir);
  const inWorkDir = step.workDir ? `&& mkdir -p -- ${workDir} && cd ${workDir}` : '';
  const supervisorArgs = `"$id" ${step.heartbeatSeconds} ${KILL_GRACE_SECONDS} ${shellQuote(step.command)}`;
  return [
    PRELUDE(step.jobId),
    TRAILER,
    'fail() { echo "remote-exec: $1" >&2; trailer 255; exit 255; }',
    'mkdir -p "$ctl" "$running" || fail "cannot make $ctl"',
    `cd "$job" ${outputsReady} ${inWorkDir} || fail "cannot prepare $job"`,
    ': > "$ctl/out"; : > "$ctl/err"; : > "$ctl/beat"',
    'mkfifo "$ctl/o" "$ctl/e" || fail "cannot make the step\'s pipes"',
    `setsid sh -c ${shellQuote(SUPERVISOR)} supervisor ${supervisorArgs} < /dev/null &`,
    SERVE,
  ].join('\n');
}

/** Attaches to a running (or finished) step again: its output from the given offsets, then its status. */
export function attachStepCommand(
  jobId: string,
  stdoutOffset: number,
  stderrOffset: number,
): string {
  return [
    PRELUDE(jobId),
    TRAILER,
    'while [ ! -e "$ctl/err.pid" ] && [ -d "$ctl" ]; do sleep 0.1; done',
    `[ -e "$ctl/err.pid" ] || exit ${STEP_GONE}`,
    ': > "$ctl/beat"',
    '{',
    `  tail -c +${stdoutOffset + 1} -f --pid="$(cat "$ctl/out.pid")" "$ctl/out" &`,
    `  tail -c +${stderrOffset + 1} -f --pid="$(cat "$ctl/err.pid")" "$ctl/err" >&2 &`,
    '  wait',
    '  while [ ! -e "$ctl/status" ] && [ -d "$ctl" ]; do sleep 0.1; done',
    '  [ -e "$ctl/status" ] && trailer "$(cat "$ctl/status")"',
    '} &',
    SERVE,
  ].join('\n');
}
