/** The tool's own messages: on stderr, prefixed, so they are never mistaken for the command's output. */
export type Progress = (message: string) => void;

export const printProgress: Progress = (message) =>
  process.stderr.write(`remote-exec: ${message}\n`);

export const quiet: Progress = () => {};

export function warn(message: string): void {
  process.stderr.write(`remote-exec: warning: ${message}\n`);
}
