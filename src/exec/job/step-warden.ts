import { INSTANCE_PATHS } from '../../layout/instance-home.js';
import { shellQuote } from '../../util/shell-quote.js';

// One warden per instance stops the steps whose client is gone or cancelled and removes the folders
// of steps that ended. A watcher process per step cost each warm step a fork, a `sleep` and an
// `rm` (a tenth of its instance time; process creation is what a step costs there); the warden
// spends one `sleep` a second for all steps, and one `rm` for all the steps that ended in it.
//
// Each step's start makes sure a warden lives (steps/<job>/ first, so a warden about to leave sees
// it); a warden leaves after WARDEN_IDLE_SECONDS without steps. Two started at once: the pid file
// names one, and the other leaves.
//
// A step's control folder (paths: src/layout/instance-home.ts) holds `policy` (heartbeat bound and
// kill grace, in seconds), `beat` (changed by each heartbeat), `cancel`, `status` once it ended,
// `done` once its client has the outputs; the warden keeps `seen` (last beat, seconds unchanged)
// and `kills` (seconds since TERM) there.

/** Seconds a warden stays with no step to watch. */
const WARDEN_IDLE_SECONDS = 30;

const POLICE = `police() {
  found=; set --
  for ctl in "$steps"/*; do
    [ -d "$ctl" ] || continue
    found=1 id=\${ctl##*/}
    bound= grace=; read -r bound grace 2>/dev/null < "$ctl/policy"
    : "\${bound:=60}" "\${grace:=3}"
    beat=; read -r beat 2>/dev/null < "$ctl/beat"
    seen= idle=0; read -r seen idle 2>/dev/null < "$ctl/seen"
    if [ "$seen" = "b$beat" ]; then idle=$((idle + 1)); else idle=0; fi
    echo "b$beat $idle" > "$ctl/seen"
    stop=; { [ -e "$ctl/cancel" ] || [ "$idle" -ge "$bound" ]; } && stop=1
    pid=; read -r pid 2>/dev/null < "$ctl/step.pid"
    if [ -e "$ctl/status" ]; then
      if [ -e "$ctl/done" ] || [ -n "$stop" ]; then
        # What the step left running goes with its folder.
        [ -n "$pid" ] && kill -KILL -"$pid" 2>/dev/null
        set -- "$@" "$jobs/$id" "$ctl" "$running/$id"
      fi
    elif [ -n "$stop" ]; then
      kills=0; read -r kills 2>/dev/null < "$ctl/kills"
      if [ -z "$pid" ]; then :
      elif [ "$kills" -eq 0 ]; then kill -TERM -"$pid"
      elif [ "$kills" -ge "$grace" ]; then kill -KILL -"$pid"
      fi 2>/dev/null
      echo $((kills + 1)) > "$ctl/kills"
      supervisor=; read -r supervisor 2>/dev/null < "$running/$id"
      # A supervisor gone without a status (killed, or never started) leaves nothing to wait for.
      kill -0 "$supervisor" 2>/dev/null || set -- "$@" "$jobs/$id" "$ctl" "$running/$id"
    fi
  done
  if [ $# -gt 0 ]; then rm -rf -- "$@"; : > "$activity"; fi
}`;

const WARDEN = `# scons-remote step warden
${INSTANCE_PATHS}
${POLICE}
trap '' HUP PIPE
idle=0
while sleep 1; do
  w=; read -r w 2>/dev/null < "$warden_pid"
  [ "$w" = $$ ] || exit 0
  police
  if [ -n "$found" ]; then idle=0; else idle=$((idle + 1)); fi
  [ "$idle" -lt ${WARDEN_IDLE_SECONDS} ] && continue
  : > "$warden_pid"
  police
  [ -z "$found" ] && exit 0
  echo $$ > "$warden_pid"; idle=0
done`;

/**
 * Shell text defining `warden_check`, which starts the warden unless one lives. The caller has
 * INSTANCE_PATHS set, and made its step's control folder first.
 */
export const WARDEN_CHECK = `warden_check() {
  w=; read -r w 2>/dev/null < "$warden_pid"
  [ -n "$w" ] && kill -0 "$w" 2>/dev/null && return
  sh -c ${shellQuote(WARDEN)} scons-remote-warden < /dev/null > /dev/null 2>&1 &
  echo $! > "$warden_pid"
}`;
