// What one remote-exec step asks for; the command-line parser fills it in, the job runners read it.

/** Which profile a command uses: remote-gen's by id, or a hand-written remote.json. */
export interface ProfileSelector {
  profile?: string;
  config?: string;
  stateDir?: string;
}

export interface JobRequest extends ProfileSelector {
  inputs: string[];
  outputs: string[];
  /** The command line for the remote shell, as ssh takes it: the words after `--` joined by spaces. */
  command: string;
  verbose: boolean;
  /** A depfile the command writes (as ninja's `depfile`): brought back, its paths made local. */
  depfile?: string;
}
