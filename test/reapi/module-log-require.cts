// The CommonJS half of module-log-hooks: node 20's module hooks do not see `require`, which is how
// the step's entry loads its bundle and the bundle loads packages. Preloaded with `--require`.
import { appendFileSync } from 'node:fs';
import Module from 'node:module';

type ResolveFilename = (request: string, ...rest: unknown[]) => string;
const internals = Module as unknown as { _resolveFilename: ResolveFilename };
const resolveFilename = internals._resolveFilename;
internals._resolveFilename = (request, ...rest) => {
  const resolved = resolveFilename(request, ...rest);
  appendFileSync(process.env['MODULE_LOG']!, `${resolved}\n`);
  return resolved;
};
