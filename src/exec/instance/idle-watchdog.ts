import { INSTANCE_PATHS } from '../../layout/instance-home.js';
import { shellQuote } from '../../util/shell-quote.js';

// Runs on the instance, detached, so that idle termination needs neither this machine nor AWS credentials:
// a closed laptop or a killed build still ends in a shutdown. A job counts as running while its shell lives.
const WATCHDOG = `${INSTANCE_PATHS}
idle_seconds=$1
interval=$2
while sleep "$interval"; do
  busy=
  for marker in "$running"/*; do
    [ -e "$marker" ] || continue
    if kill -0 "$(cat "$marker")" 2>/dev/null; then busy=1; else rm -f "$marker"; fi
  done
  if [ -n "$busy" ]; then touch "$activity"; continue; fi
  last=$(stat -c %Y "$activity" 2>/dev/null || echo 0)
  if [ $(( $(date +%s) - last )) -ge "$idle_seconds" ]; then
    sudo shutdown -h now
    exit 0
  fi
done
`;

/** A shell command that (re)starts the watchdog, replacing a running one; safe to send on every provisioning. */
export function startWatchdogCommand(idleMinutes: number, graceSeconds = 0): string {
  const idleSeconds = Math.max(1, Math.round(idleMinutes * 60)) + graceSeconds;
  const interval = Math.min(30, Math.max(1, Math.floor(idleSeconds / 10)));
  return [
    INSTANCE_PATHS,
    'mkdir -p "$running" "$jobs" && touch "$activity"',
    `printf '%s' ${shellQuote(WATCHDOG)} > "$watchdog"`,
    'if [ -f "$watchdog_pid" ] && kill -0 "$(cat "$watchdog_pid")" 2>/dev/null; then kill "$(cat "$watchdog_pid")"; fi',
    `setsid nohup sh "$watchdog" ${idleSeconds} ${interval} </dev/null >/dev/null 2>&1 & echo $! > "$watchdog_pid"`,
  ].join('\n');
}

/** Minutes the idle watchdog waits when the profile does not say. */
export const DEFAULT_IDLE_MINUTES = 15;

/** How much longer than idleMinutes the watchdog started at boot waits, so a slow first connection is not cut off. */
const FIRST_JOB_GRACE_SECONDS = 30;

/**
 * The first part of every instance's UserData: cloud-init starts the idle watchdog at boot, so an instance that
 * no job ever reaches (a wrong key or user, SSH blocked, a build killed while it launched) still shuts down.
 * cloud-init runs it as root, so it starts the watchdog as the login user, whose home the jobs use.
 */
export function bootGuardScript(loginUser: string, idleMinutes: number): string {
  return [
    '#!/bin/sh',
    `start=${shellQuote(startWatchdogCommand(idleMinutes, FIRST_JOB_GRACE_SECONDS))}`,
    `if [ "$(id -u)" = 0 ] && [ ${shellQuote(loginUser)} != root ]; then exec su -s /bin/sh -c "$start" ${shellQuote(loginUser)}; fi`,
    'exec sh -c "$start"',
    '',
  ].join('\n');
}
