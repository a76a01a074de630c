import { isUserError } from './user-error.js';

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
    if (isUserError(error)) process.stderr.write(`${prefix}: error: ${error.message}\n`);
    else
      process.stderr.write(
        `${prefix}: internal error: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
    process.exitCode = errorExitCode;
  }
}
