import { stackLocation } from '../describe/call-site.js';
import { isUserError, UserError } from '../util/user-error.js';

const UNSETTLED = 'its top-level await is waiting for a promise that nothing will settle';

/** One line for what the description threw: where in it, and what. */
function describeFailure(error: unknown, file: string): UserError {
  if (isUserError(error)) return error;
  if (!(error instanceof Error)) return new UserError(`${file}: threw ${String(error)}`);
  const where = stackLocation(error.stack ?? '');
  return new UserError(
    `${where ? `${where}: ` : ''}${error.name}: ${error.message}`.split('\n')[0]!,
  );
}

/**
 * Imports the description and resolves once it has finished as a Node script finishes: its top-level
 * code and every timer and promise it started. Nothing may be written before that, since a late
 * failure or declaration would make the written build.ninja wrong.
 */
export function runDescription(file: string, url: string): Promise<void> {
  const exit = process.exit;
  return new Promise((resolve, reject) => {
    let imported = false;
    let exitCall = '';
    const cleanUp = (): void => {
      process.exit = exit;
      process.off('uncaughtException', fail);
      process.off('unhandledRejection', fail);
      process.off('beforeExit', drained);
      process.off('exit', exitedEarly);
    };
    function fail(error: unknown): void {
      cleanUp();
      reject(describeFailure(error, file));
    }
    function drained(): void {
      cleanUp();
      if (imported) resolve();
      else reject(new UserError(`${file} never finished: ${UNSETTLED}`));
    }
    // The process ends in the middle of the run, so this is the only chance to say why.
    function exitedEarly(): void {
      const advice = 'throw an Error to stop it with a message';
      process.stderr.write(
        `remote-gen: error: ${exitCall}, so remote-gen wrote nothing; ${advice}\n`,
      );
      process.exitCode = 1;
    }
    process.exit = ((code?: number | string | null) => {
      const where = stackLocation(new Error().stack ?? '');
      exitCall = `${where ? `${where}: ` : ''}the description called process.exit(${code ?? ''})`;
      return exit(code);
    }) as typeof process.exit;
    process.on('uncaughtException', fail);
    process.on('unhandledRejection', fail);
    process.on('beforeExit', drained);
    process.on('exit', exitedEarly);
    import(url).then(() => (imported = true), fail);
  });
}
