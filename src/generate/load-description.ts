import { existsSync } from 'node:fs';
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
import { readCheckRecord, writeCheckRecord, type CheckedDescription } from './type-check-record.js';
import { checkInDaemon } from './type-checker-client.js';

export interface LoadedDescription {
  declarations: Declarations;
  /** The description and every project file it imports. */
  files: string[];
  /** Records a fresh type-check; called once everything is written, since a failed run writes nothing. */
  recordCheck: () => void;
}

/** The description checked and transpiled: as recorded when nothing changed, else afresh. */
async function checkedDescription(
  file: string,
  progress: (text: string) => void,
): Promise<CheckedDescription & { recordCheck: () => void }> {
  const recorded = readCheckRecord(file);
  if (recorded) return { ...recorded, recordCheck: () => {} };
  progress(`type-checking ${file}`);
  const { checked, fingerprints } =
    (await checkInDaemon(file)) ??
    // Loaded only here: the compiler is most of remote-gen's start-up when it is needed at all.
    (await import('./type-check.js')).checkDescription(file, process.cwd());
  const recordCheck = () => fingerprints && writeCheckRecord(file, checked, fingerprints);
  return { ...checked, recordCheck };
}

/** Type-checks, then runs the description (a plain TypeScript script) and returns what it declared. */
export async function loadDescription(
  file: string,
  progress: (text: string) => void,
): Promise<LoadedDescription> {
  if (!existsSync(file)) throw new UserError(`${file}: no such build description`);
  const { files, transpiled, recordCheck } = await checkedDescription(file, progress);
  const sourceMaps = new Map(Object.entries(transpiled).map(([path, js]) => [path, js.sourceMap]));
  mapLinesWith(lineMapperFor(sourceMaps));
  const data: HooksData = {
    packageEntryUrl: new URL('../index.js', import.meta.url).href,
    transpiled: Object.fromEntries(
      Object.entries(transpiled).map(([path, js]) => [pathToFileURL(path).href, js.code]),
    ),
  };
  register('./ts-hooks.js', import.meta.url, { data });
  progress(`running ${file}`);
  await runDescription(file, pathToFileURL(resolve(file)).href);
  return { declarations, files, recordCheck };
}
