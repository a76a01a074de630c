// The native step client (shim/remote-exec.c) runs a local-mode step's command itself, while the
// node client does everything else (checks, the outputs' folders, depfile, trace). A node process
// forking costs a step ~20 ms on a machine whose page-table updates are slow (this one), where the
// native client's fork costs ~1 ms.
//
// The native client starts the node client as its child with LOCAL_COMMAND_VARIABLE set to
// `<fd>:<pid>`: the node client's end of a socket pair, and the native client's pid (the node
// client's parent: anything else set the variable, and it is ignored). The node client sends the
// command line followed by a NUL byte; the native client runs it with `/bin/sh -c`, signals at
// their defaults, and answers its exit status in decimal and a newline (128 + N for signal N). A
// node client that sends nothing (an error, help, a subcommand) ends as it would alone.

export const LOCAL_COMMAND_VARIABLE = 'SCONS_REMOTE_LOCAL_COMMAND';
