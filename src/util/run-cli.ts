import { isUserError } from './user-error.js';

/** A failure as the CLI prints it: a user error as one prefixed line, anything else with its stack. */
export function errorLine(prefix: string, error: unknown): string {
  if (isUserError(error)) return `${prefix}: error: ${error.message}\n`;
  return `${prefix}: internal error: ${error instanceof Error ? error.stack : String(error)}\n`;
}

/**
 * Runs a CLI entry and turns its outcome into the process exit code: user errors print as one prefixed
 * line, anything else is a bug and keeps its stack.
 */
export async function runCli(
  prefix: string,
  errorExitCode: number,
  main: () => Promise<number>,
): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    process.stderr.write(errorLine(prefix, error));
    process.exitCode = errorExitCode;
  }
}
