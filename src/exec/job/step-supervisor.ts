import { posix } from 'node:path';
import { shellQuote } from '../../util/shell-quote.js';
import { INSTANCE_PATHS } from '../../layout/instance-home.js';
import { WARDEN_CHECK } from './step-warden.js';

// A step runs on the instance under a supervisor (POSIX sh, coreutils; the instance has nothing
// more), so that a client that is gone (killed, or its network down longer than the heartbeat
// bound) or that cancels stops the step and its whole process group, and a client that only lost
// its connection can attach again and read the rest of the output from the logs (paths:
// src/layout/instance-home.ts).
//
// A step is one exec: it assembles the job folder from the store (when the request has inputs),
// starts the step, sends its output, then serves the client's control lines. Each process costs
// a warm step several milliseconds (more when processes run side by side), so the scripts use
// builtins wherever they can: the supervisor is a subshell (no exec), heartbeats are values that
// `read` compares (no date, no stat), files are touched with `: >` (truncating sets the mtime).

/** The exit status of an attach that found no step to attach to (cleaned up after its client was away). */
export const STEP_GONE = 3;

/** The first line of a start's stdout once the job folder is ready and the step starts. */
export const READY = 'ready';

/** How long a step runs before its client asks to see its output live. */
export const FOLLOW_AFTER_MS = 1000;

/** What ends the step's output on its stderr stream: the marker, the exit status, a newline. */
export function statusMarker(jobId: string): string {
  return `\x1escons-remote:${jobId}:`;
}

const PRELUDE = (jobId: string) =>
  [INSTANCE_PATHS, `id=${jobId}`, 'job="$jobs/$id"', 'ctl="$steps/$id"'].join('; ');

const TRAILER = `trailer() { printf '\\036scons-remote:%s:%s\\n' "$id" "$1" >&2; }`;

// Reads the client's control lines: `beat` periodically (a warden killed meanwhile is started
// again), `cancel` on Ctrl-C, `follow` when the step runs long, `keep` (its outputs join the
// store) and `done` once it has the outputs. End of input means the client or its connection is
// gone: the heartbeat then lapses. `done` is written after the keep, which reads the job folder
// the warden removes once it sees `done`.
const SERVE = `beats=0
while IFS= read -r line; do
  case $line in
    beat) beats=$((beats + 1)); echo "$$.$beats" > "$ctl/beat"; warden_check ;;
    cancel) : > "$ctl/cancel"; pid=; read -r pid 2>/dev/null < "$ctl/step.pid"; kill -TERM -"$pid" 2>/dev/null ;;
    follow) : > "$ctl/follow"; kill -USR1 "$supervisor" 2>/dev/null ;;
    keep) keep > /dev/null 2>&1 ;;
    done) : > "$ctl/done"; exit 0 ;;
  esac
done`;

// A subshell of the start command. The step gets its own process group (setsid) and writes its
// stdout and stderr to the logs, never to the channel, so a dropped connection does not touch it
// and an attach reads on from the logs. A step that ends within FOLLOW_AFTER_MS (most do) has its
// logs sent once it ended, by builtins when empty: two `tee` relaying each step live were a fifth
// of a warm step's cost on the instance. For a longer one the client asks to follow: the serving
// shell marks `follow` and signals the supervisor, whose `tail`s then relay the logs live. The
// supervisor ends with the step: stopping it and removing its folders are the warden's
// (step-warden.ts), and its pid in the running marker tells the warden whether a status may still
// come. What the step left running in the background is the warden's too; its output after the
// step ended is in the log, not sent. The supervisor outlives a hangup and takes USR1 (follow);
// the step gets every signal as a local shell leaves it (one ignoring SIGPIPE fills its stderr
// with "Broken pipe" where `yes | head` was meant to end quietly).
const SUPERVISOR = `trap '' HUP
following=
follow() {
  [ -n "$following" ] && return
  following=1
  tail -c +1 -s 0.1 -f --pid="$step" "$ctl/out" &
  tail -c +1 -s 0.1 -f --pid="$step" "$ctl/err" >&2 &
}
: > "$activity"; echo "$id" >> "$jobs_log"
( trap - HUP USR1; exec setsid sh -c "$command" ) < /dev/null > "$ctl/out" 2> "$ctl/err" &
step=$!
echo $step > "$ctl/step.pid"
interrupted=
trap 'interrupted=1; follow' USR1
[ -e "$ctl/follow" ] && follow
# The signal cuts a wait short (status 138); waiting again gives the step's own status.
wait $step; code=$?
while [ "$code" = 138 ] && [ -n "$interrupted" ]; do interrupted=; wait $step; code=$?; done
trap '' USR1
if [ -n "$following" ]; then
  wait
else
  [ -s "$ctl/out" ] && cat "$ctl/out"
  [ -s "$ctl/err" ] && cat "$ctl/err" >&2
fi
echo $code > "$ctl/status"
trailer $code`;

export interface StepStart {
  jobId: string;
  command: string;
  /** Where the command runs, relative to the job folder ('' for the folder itself). */
  workDir: string;
  /** Outputs relative to the job folder; their folders exist before the command runs, as ninja makes them. */
  outputs: readonly string[];
  heartbeatSeconds: number;
  /**
   * Shell text run first, in the login user's home, reading its stdin: it makes the job folder or
   * prints why not on stdout and exits. Without it the job folder is there or has no inputs.
   */
  assemble?: string;
  /** Shell text defining `keep`, which the client's `keep` line runs (store-scripts.ts). */
  keep: string;
}

/** Seconds between TERM and KILL of a step's process group. */
const KILL_GRACE_SECONDS = 3;

const inJob = (path: string) => `"$job"/${shellQuote(path)}`;

/**
 * The one command that starts a step: assembles its folder, prints READY, starts the step under its
 * supervisor, streams its output, then reads control lines.
 */
export function startStepCommand(step: StepStart): string {
  const outputDirs = [
    ...new Set(step.outputs.map((output) => posix.dirname(output)).filter((dir) => dir !== '.')),
  ];
  const dirs = [...outputDirs, ...(step.workDir ? [step.workDir] : [])].map(inJob).join(' ');
  const workDir = step.workDir ? inJob(step.workDir) : '"$job"';
  return [
    PRELUDE(step.jobId),
    TRAILER,
    'fail() { echo "remote-exec: $1" >&2; trailer 255; exit 255; }',
    ...(step.assemble ? [step.assemble] : []),
    `echo ${READY}`,
    `mkdir -p -- "$ctl" "$running" "$job" ${dirs} && cd ${workDir} || fail "cannot prepare $job"`,
    `echo ${step.heartbeatSeconds} ${KILL_GRACE_SECONDS} > "$ctl/policy"`,
    ': > "$ctl/out"; : > "$ctl/err"; : > "$ctl/beat"',
    WARDEN_CHECK,
    'warden_check',
    `command=${shellQuote(step.command)}`,
    step.keep,
    // Ignored until the supervisor can follow: USR1 would end it otherwise.
    "trap '' USR1",
    `( ${SUPERVISOR}\n) < /dev/null &`,
    'supervisor=$!',
    'echo $supervisor > "$running/$id"',
    SERVE,
  ].join('\n');
}

/**
 * Attaches to a running (or finished) step again: its output from the given offsets, then its
 * status. `keep` as for the start.
 */
export function attachStepCommand(
  jobId: string,
  stdoutOffset: number,
  stderrOffset: number,
  keep: string,
): string {
  return [
    PRELUDE(jobId),
    TRAILER,
    keep,
    WARDEN_CHECK,
    'while [ ! -e "$running/$id" ] && [ -d "$ctl" ]; do sleep 0.1; done',
    `supervisor=; read -r supervisor 2>/dev/null < "$running/$id" || exit ${STEP_GONE}`,
    'echo "$$.0" > "$ctl/beat"',
    '{',
    `  tail -c +${stdoutOffset + 1} -s 0.1 -f --pid="$supervisor" "$ctl/out" &`,
    `  tail -c +${stderrOffset + 1} -s 0.1 -f --pid="$supervisor" "$ctl/err" >&2 &`,
    '  wait',
    '  while [ ! -e "$ctl/status" ] && [ -d "$ctl" ]; do sleep 0.1; done',
    '  status=; read -r status 2>/dev/null < "$ctl/status" && trailer "$status"',
    '} &',
    SERVE,
  ].join('\n');
}
