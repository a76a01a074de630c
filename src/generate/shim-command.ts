import { fileURLToPath } from 'node:url';
import { shellJoin } from '../util/shell-quote.js';

/** How build.ninja starts one of this package's shims: this very node and this copy of the package, so PATH does not matter. */
export function shimCommand(shim: 'remote-exec' | 'remote-gen'): string {
  return shellJoin([
    process.execPath,
    fileURLToPath(new URL(`../../shim/${shim}.js`, import.meta.url)),
  ]);
}
