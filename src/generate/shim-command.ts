import { fileURLToPath } from 'node:url';
import { shellJoin } from '../util/shell-quote.js';

// remote-exec's entry is CommonJS, which starts faster: it runs once per step (see the shim).
const SHIM_FILES = { 'remote-exec': 'remote-exec.cjs', 'remote-gen': 'remote-gen.js' };

const commands = new Map<keyof typeof SHIM_FILES, string>();

/** How build.ninja starts one of this package's shims: this very node and this copy of the package, so PATH does not matter. */
export function shimCommand(shim: keyof typeof SHIM_FILES): string {
  let command = commands.get(shim);
  if (command === undefined) {
    const file = fileURLToPath(new URL(`../../shim/${SHIM_FILES[shim]}`, import.meta.url));
    command = shellJoin([process.execPath, file]);
    commands.set(shim, command);
  }
  return command;
}
