// Run by `npm run build` after tsc: writes dist/shim/remote-exec-bundle.cjs, all of remote-exec's step
// path in one CommonJS file, which shim/remote-exec.cts runs when it is as new as that shim.
//
// Why: a step is one short node process, and the ES module loader spends on each of the ~25 files
// of the step path (resolve, read, link) and on each of node's modules it imports (an ES facade
// that loads what CommonJS leaves lazy). Measured on 2 loaded cores, CPU of a local-mode step
// (`SCONS_REMOTE_MODE=local remote-exec -- true`) against `node -e 0`: 1.79x as ES modules, 1.49x
// as one ES module bundle, 1.31x as this CommonJS bundle. V8's code cache for it (vm.Script
// cachedData) gained nothing measurable and broke import(); a start-up snapshot of it
// (`node --snapshot-blob`) made the step slower (1.63x against 1.28x in one run).
//
// What stays out: packages (loaded by the code that needs them, as before) and what cli.ts imports
// for its subcommands (up, status, down, prune, ssh, cloud): those are not steps, and run as the
// ES modules tsc wrote. Every module a step runs is in the bundle, so that module state (a step's
// trace phases) exists once. Modules imported with import() stay lazy: esbuild runs their top
// level only when they are first imported.
import { build, type Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../', import.meta.url));
const outfile = resolve(dist, 'shim/remote-exec-bundle.cjs');
const cli = resolve(dist, 'src/exec/cli.js');
/** The bundle's own URL, from which each bundled module finds the files beside it. */
const BUNDLE_URL = '__bundleUrl';

const fromBundle = (path: string): string => `./${relative(dirname(outfile), path)}`;

const layout: Plugin = {
  name: 'step-path',
  setup(bundler) {
    bundler.onResolve({ filter: /^\./ }, ({ kind, importer, path, resolveDir }) => {
      if (kind !== 'dynamic-import' || importer !== cli) return undefined;
      return { path: fromBundle(resolve(resolveDir, path)), external: true };
    });
    // A module's `new URL('./main.js', import.meta.url)` names the file beside the module as tsc
    // wrote it, wherever the bundle is.
    bundler.onLoad({ filter: /\.js$/ }, ({ path }) => ({
      contents: readFileSync(path, 'utf8').replaceAll(
        'import.meta.url',
        `new URL(${JSON.stringify(fromBundle(path))}, ${BUNDLE_URL}).href`,
      ),
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: [resolve(dist, 'src/exec/run-remote-exec.js')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  banner: { js: `const ${BUNDLE_URL} = require('node:url').pathToFileURL(__filename);` },
  plugins: [layout],
  logLevel: 'warning',
});
