import { existsSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Declarations } from '../describe/declarations.js';
import { declarations } from '../describe/registry.js';
import { isUserError, UserError } from '../util/user-error.js';
import type { HooksData } from './ts-hooks.js';
import { transpileDescriptionFile, typeCheckDescription } from './type-check.js';

export interface LoadedDescription {
  declarations: Declarations;
  /** The description and every project file it imports. */
  files: string[];
}

function locateFailure(error: Error): string {
  const frame = (error.stack ?? '').split('\n').find((line) => /\.m?ts:\d+:\d+\)?$/.test(line.trim()));
  const where = frame ? /((?:file:\/\/)?[^\s(]+\.m?ts):(\d+)/.exec(frame) : null;
  const file = where ? where[1]!.replace(/^file:\/\//, '') : undefined;
  const prefix = file ? `${file.startsWith(process.cwd() + '/') ? file.slice(process.cwd().length + 1) : file}:${where![2]}: ` : '';
  return `${prefix}${error.name}: ${error.message}`.split('\n')[0]!;
}

/** Type-checks, then runs the description (a plain TypeScript script) and returns what it declared. */
export async function loadDescription(file: string): Promise<LoadedDescription> {
  if (!existsSync(file)) throw new UserError(`${file}: no such build description`);
  const files = typeCheckDescription(file);
  process.setSourceMapsEnabled(true);
  const transpiled: Record<string, string> = {};
  for (const path of files.filter((name) => /\.m?ts$/.test(name))) {
    transpiled[pathToFileURL(path).href] = transpileDescriptionFile(path, readFileSync(path, 'utf8'));
  }
  const data: HooksData = { packageEntryUrl: new URL('../index.js', import.meta.url).href, transpiled };
  register('./ts-hooks.js', import.meta.url, { data });
  try {
    await import(pathToFileURL(resolve(file)).href);
  } catch (error) {
    if (isUserError(error)) throw error;
    throw new UserError(error instanceof Error ? locateFailure(error) : `${file}: ${String(error)}`);
  }
  return { declarations, files };
}
