import { existsSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mapLinesWith } from '../describe/call-site.js';
import type { Declarations } from '../describe/declarations.js';
import { declarations } from '../describe/registry.js';
import { UserError } from '../util/user-error.js';
import { runDescription } from './run-description.js';
import { lineMapperFor } from './source-lines.js';
import type { HooksData } from './ts-hooks.js';
import { transpileDescriptionFile, typeCheckDescription } from './type-check.js';

export interface LoadedDescription {
  declarations: Declarations;
  /** The description and every project file it imports. */
  files: string[];
}

/** Type-checks, then runs the description (a plain TypeScript script) and returns what it declared. */
export async function loadDescription(
  file: string,
  progress: (text: string) => void,
): Promise<LoadedDescription> {
  if (!existsSync(file)) throw new UserError(`${file}: no such build description`);
  progress(`type-checking ${file}`);
  const files = typeCheckDescription(file);
  const transpiled: Record<string, string> = {};
  const sourceMaps = new Map<string, string>();
  for (const path of files.filter((name) => /\.m?ts$/.test(name))) {
    const { code, sourceMap } = transpileDescriptionFile(path, readFileSync(path, 'utf8'));
    transpiled[pathToFileURL(path).href] = code;
    sourceMaps.set(path, sourceMap);
  }
  mapLinesWith(lineMapperFor(sourceMaps));
  const data: HooksData = {
    packageEntryUrl: new URL('../index.js', import.meta.url).href,
    transpiled,
  };
  register('./ts-hooks.js', import.meta.url, { data });
  progress(`running ${file}`);
  await runDescription(file, pathToFileURL(resolve(file)).href);
  return { declarations, files };
}
