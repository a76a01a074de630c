// The instance's own sudo and shutdown, in its /usr/local/bin (first in the login PATH): just enough of a stock
// cloud image's behaviour for what the project does on an instance.

/** The file, under the instance's /etc/ssh, through which `shutdown` asks the emulator to power off. */
export const CONTROL_FILE = 'control/shutdown';

// The login user may run anything, as on a stock cloud image; there is no root to become, so the command runs
// as the user. Paths of the real power commands would reach systemctl, which cannot work here.
export const SUDO_SCRIPT = `#!/bin/sh
while [ $# -gt 0 ]; do
  case "$1" in
    -u|-g|-C|-p|-h) shift 2 ;;
    --) shift; break ;;
    -*) shift ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: sudo command" >&2; exit 1; }
case "$1" in
  */shutdown|*/poweroff|*/halt) shift; exec /usr/local/bin/shutdown "$@" ;;
esac
PATH="/usr/local/bin:$PATH" exec "$@"
`;

// Asks the emulator to stop or terminate the instance, per InstanceInitiatedShutdownBehavior:
// `shutdown [-h|-P] now|+MINUTES`, and `shutdown -c` to cancel a scheduled one.
export const SHUTDOWN_SCRIPT = `#!/bin/sh
request=/etc/ssh/${CONTROL_FILE}
when=now
for arg in "$@"; do
  case "$arg" in
    -c) rm -f "$request"; echo "Shutdown cancelled."; exit 0 ;;
    -r|--reboot) echo "shutdown: reboot is not emulated" >&2; exit 1 ;;
    -*) ;;
    *) when=$arg; break ;;
  esac
done
case "$when" in
  now) delay=0 ;;
  +[0-9]*) delay=$(( \${when#+} * 60 )) ;;
  *) echo "shutdown: unsupported time '$when' (use now or +MINUTES)" >&2; exit 1 ;;
esac
echo "$delay" > "$request.tmp" && mv "$request.tmp" "$request"
[ "$delay" -eq 0 ] && echo "Shutting down." || echo "Shutdown scheduled in $when minutes."
`;
