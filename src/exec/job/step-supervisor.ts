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
// starts the step, streams its output, then serves the client's control lines. Each process costs
// a warm step a few milliseconds, so the scripts use builtins wherever they can: the supervisor is
// a subshell (no exec), pipes are pipelines (no mkfifo), heartbeats are counters that `read`
// compares (no date, no stat), files are touched with `: >` (truncating sets the mtime).

/** The exit status of an attach that found no step to attach to (cleaned up after its client was away). */
export const STEP_GONE = 3;

/** The first line of a start's stdout once the job folder is ready and the step starts. */
export const READY = 'ready';

/** What ends the step's output on its stderr stream: the marker, the exit status, a newline. */
export function statusMarker(jobId: string): string {
  return `\x1escons-remote:${jobId}:`;
}

const PRELUDE = (jobId: string) =>
  [INSTANCE_PATHS, `id=${jobId}`, 'job="$jobs/$id"', 'ctl="$steps/$id"'].join('; ');

const TRAILER = `trailer() { printf '\\036scons-remote:%s:%s\\n' "$id" "$1" >&2; }`;

// Reads the client's control lines: `beat` periodically (a warden killed meanwhile is started
// again), `cancel` on Ctrl-C, `keep` (its outputs join the store) and `done` once it has the
// outputs. End of input means the client or its connection is gone: the heartbeat then lapses. `done` is written after the keep, which reads the
// job folder the warden removes once it sees `done`.
const SERVE = `beats=0
while IFS= read -r line; do
  case $line in
    beat) beats=$((beats + 1)); echo "$$.$beats" > "$ctl/beat"; warden_check ;;
    cancel) : > "$ctl/cancel"; pid=; read -r pid 2>/dev/null < "$ctl/step.pid"; kill -TERM -"$pid" 2>/dev/null ;;
    keep) keep > /dev/null 2>&1 ;;
    done) : > "$ctl/done"; exit 0 ;;
  esac
done`;

// A subshell of the start command. The step gets its own process group (setsid); tee -p copies its
// stdout and stderr to the logs and, while the connection lives, to the client (fd 3 is the
// channel's stdout). The last tee ends after the other (its input is the first's stderr too), so
// its pid, in tee.pid, tells an attach when the logs are complete. The supervisor ends with the
// step: stopping it and removing its folders are the warden's (step-warden.ts), and its pid in the
// running marker tells the warden whether a status may still come. It outlives a hangup; the step
// gets the signals as a local shell leaves them (a step ignoring SIGPIPE fills its stderr with
// "Broken pipe" where `yes | head` was meant to end quietly).
const SUPERVISOR = `trap '' HUP
: > "$activity"; echo "$id" >> "$jobs_log"
exec 3>&1
{
  {
    trap - HUP
    setsid sh -c "$command" < /dev/null &
    echo $! > "$ctl/step.pid"
    wait $!
    echo $? > "$ctl/code"
  } 3>&- | tee -p -a "$ctl/out" >&3 3>&-
} 2>&1 | tee -p -a "$ctl/err" >&2 3>&- &
echo $! > "$ctl/tee.pid"
wait
status=255; read -r status < "$ctl/code"
echo $status > "$ctl/status"
trailer $status`;

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
    `( ${SUPERVISOR}\n) < /dev/null &`,
    'echo $! > "$running/$id"',
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
    'while [ ! -e "$ctl/tee.pid" ] && [ -d "$ctl" ]; do sleep 0.1; done',
    `tee=; read -r tee 2>/dev/null < "$ctl/tee.pid" || exit ${STEP_GONE}`,
    'echo "$$.0" > "$ctl/beat"',
    '{',
    `  tail -c +${stdoutOffset + 1} -f --pid="$tee" "$ctl/out" &`,
    `  tail -c +${stderrOffset + 1} -f --pid="$tee" "$ctl/err" >&2 &`,
    '  wait',
    '  while [ ! -e "$ctl/status" ] && [ -d "$ctl" ]; do sleep 0.1; done',
    '  status=; read -r status 2>/dev/null < "$ctl/status" && trailer "$status"',
    '} &',
    SERVE,
  ].join('\n');
}
