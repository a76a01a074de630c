import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { shellJoin } from '../util/shell-quote.js';

const shimPath = (file: string): string =>
  fileURLToPath(new URL(`../../shim/${file}`, import.meta.url));

const commands = new Map<'remote-exec' | 'remote-gen', string>();

/**
 * How build.ninja starts one of this package's programs: this copy of the package, so PATH does not
 * matter. A step runs the step client `npm run build` wrote (src/exec/write-step-client.ts: native
 * where a C compiler was found); without it (a build by `tsc` alone), the node client, with this
 * very node.
 */
function command(shim: 'remote-exec' | 'remote-gen'): string {
  const client = shimPath('remote-exec');
  if (shim === 'remote-exec' && existsSync(client)) return shellJoin([client]);
  const file = shim === 'remote-exec' ? 'remote-exec.cjs' : 'remote-gen.js';
  return shellJoin([process.execPath, shimPath(file)]);
}

export function shimCommand(shim: 'remote-exec' | 'remote-gen'): string {
  let known = commands.get(shim);
  if (known === undefined) {
    known = command(shim);
    commands.set(shim, known);
  }
  return known;
}
