// The one description of the instance's folder for scons-remote, ~/.scons-remote/ of the login user
// (ssh commands start in its home, so relative paths below are relative to it):
//   jobs/<job>/     a step's folder: its inputs, then its outputs, as in the project
//   steps/<job>/    the step supervisor's control files (beat, cancel, done, pids) and output logs
//   running/<job>   the pid of a step's supervisor: the idle watchdog waits while one lives
//   activity        its mtime is the last sign of use; jobs.log holds one line per step run
//   watchdog.sh     the idle watchdog, and watchdog.pid its pid
//   setup.sh        the connection's setup script, and setup.sha256 the hash of the last one that succeeded
// Scripts run on the instance take the paths from INSTANCE_PATHS, never spelling them out.

const HOME = '.scons-remote';

/** A job's folder, relative to the login user's home. */
export function jobDir(jobId: string): string {
  return `${HOME}/jobs/${jobId}`;
}

/** Shell assignments of every path above, for scripts run on the instance. */
export const INSTANCE_PATHS = [
  `base="$HOME/${HOME}"`,
  'jobs="$base/jobs"',
  'steps="$base/steps"',
  'running="$base/running"',
  'activity="$base/activity"',
  'jobs_log="$base/jobs.log"',
  'watchdog="$base/watchdog.sh"',
  'watchdog_pid="$base/watchdog.pid"',
  'setup_script="$base/setup.sh"',
  'setup_hash="$base/setup.sha256"',
].join(' ');
