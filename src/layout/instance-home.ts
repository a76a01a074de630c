// The one description of the instance's folder for scons-remote, ~/.scons-remote/ of the login user
// (ssh commands start in its home, so relative paths below are relative to it):
//   jobs/<job>/     a step's folder: its inputs, then its outputs, as in the project
//   steps/<job>/    the step supervisor's control files (beat, cancel, done, pids) and output logs
//   warden.pid      the pid of the step warden, which stops abandoned steps and removes ended ones
//   running/<job>   the pid of a step's supervisor: the idle watchdog waits while one lives
//   activity        its mtime is the last sign of use; jobs.log holds one line per step run
//   watchdog.sh     the idle watchdog, and watchdog.pid its pid
//   store/<blob>    content-addressed inputs and outputs, named <sha256> or <sha256>.x (executable);
//                   only eviction deletes them (src/exec/store/store-scripts.ts), never the watchdog
//   store/incoming/<job>/  blobs of one upload or one step's outputs until they are checked
//   trees/<key>/    a job folder's input links as first made, which later jobs with the same
//                   inputs copy (`cp -al`); <key>.used is touched at each use, and the keep of
//                   a step removes the trees unused for 30 minutes, and all when it evicts
//   setup.sh        the connection's setup script, and setup.sha256 the hash of the last one that succeeded;
//                   setup.pid the process group of a run under way
// Scripts run on the instance take the paths from INSTANCE_PATHS, never spelling them out.

const HOME = '.scons-remote';

// The store's archives are extracted in the instance's folder itself (`tar -C "$base"`): names
// relative to it stay within ustar's 100 bytes, where home-relative ones need a pax header each.

/** A job's folder, relative to the instance's folder. */
export function jobInBase(jobId: string): string {
  return `jobs/${jobId}`;
}

/** A job's folder, relative to the login user's home. */
export function jobDir(jobId: string): string {
  return `${HOME}/${jobInBase(jobId)}`;
}

/** A blob of the store, relative to the instance's folder; `name` is a digest's hash (+ `.x`). */
export function storeBlob(name: string): string {
  return `store/${name}`;
}

/** A blob received for `jobId`, before it joins the store; relative to the instance's folder. */
export function incomingBlob(jobId: string, name: string): string {
  return `store/incoming/${jobId}/${name}`;
}

/** Shell assignments of every path above, for scripts run on the instance. */
export const INSTANCE_PATHS = [
  `base="$HOME/${HOME}"`,
  'jobs="$base/jobs"',
  'store="$base/store"',
  'incoming="$base/store/incoming"',
  'trees="$base/trees"',
  'steps="$base/steps"',
  'running="$base/running"',
  'activity="$base/activity"',
  'jobs_log="$base/jobs.log"',
  'watchdog="$base/watchdog.sh"',
  'watchdog_pid="$base/watchdog.pid"',
  'warden_pid="$base/warden.pid"',
  'setup_script="$base/setup.sh"',
  'setup_hash="$base/setup.sha256"',
  'setup_pid="$base/setup.pid"',
].join(' ');
