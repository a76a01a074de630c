/** The tool's own messages: on stderr, prefixed, so they are never mistaken for the command's output. */
export type Progress = (message: string) => void;

/** Where messages go: this process's stderr, or in the agent the stderr of the step they concern. */
let messages: () => NodeJS.WritableStream = () => process.stderr;

export function routeMessages(to: () => NodeJS.WritableStream): void {
  messages = to;
}

/** The stream the tool's messages go to, for output that belongs with them (a setup script's). */
export function messageStream(): NodeJS.WritableStream {
  return messages();
}

export const printProgress: Progress = (message) => messages().write(`remote-exec: ${message}\n`);

export const quiet: Progress = () => {};

export function warn(message: string): void {
  messages().write(`remote-exec: warning: ${message}\n`);
}
