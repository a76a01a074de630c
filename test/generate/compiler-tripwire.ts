import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';

/** NODE_OPTIONS that make loading the compiler fail, to show a run does without it. */
export function withoutCompiler(): NodeJS.ProcessEnv {
  const file = join(tempDir(), 'no-compiler.cjs');
  writeFileSync(
    file,
    `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'typescript') throw new Error('the compiler was loaded');
  return resolve.call(this, request, ...rest);
};
`,
  );
  return { NODE_OPTIONS: `--require ${file}` };
}
