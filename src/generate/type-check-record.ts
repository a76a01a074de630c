// Why a record of the last successful check (measured with hyperfine on 2 cores, one-step description):
// even against the small connection types (src/api/connection-types.d.ts), loading the compiler and
// checking against @types/node takes ~1 s, 10x `node -e 0`, while an unchanged description (the usual
// run: ninja regenerating after a glob's matches changed, a second `remote-gen`, CI) needs none of it.
// With the record such a run loads no compiler at all; any change to a file the check read checks again.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { STATE_DIR, typeCheckRecordPath as recordIn } from '../layout/local-state.js';
import { DESCRIPTION_COMPILER_OPTIONS } from './description-settings.js';

export interface TranspiledFile {
  code: string;
  sourceMap: string;
}

/** A description that type-checked, as JavaScript ready to run. */
export interface CheckedDescription {
  /** The project files it is made of (itself and what it imports): build.ninja's inputs. */
  files: string[];
  /** JavaScript for each of its TypeScript files, by absolute path. */
  transpiled: Record<string, TranspiledFile>;
}

interface CheckRecord extends CheckedDescription {
  tool: string;
  /** Every file the check read, with its fingerprint then. */
  inputs: Record<string, string>;
}

/** Where the record of the last successful check of `description` is kept. */
export function typeCheckRecordPath(description: string): string {
  const id = createHash('sha256').update(resolve(description)).digest('hex').slice(0, 16);
  return recordIn(STATE_DIR, id);
}

/** The tool's version and the settings it checks with: a different tool checks again. */
function toolKey(): string {
  const manifest = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
  const { version } = JSON.parse(manifest) as { version: string };
  return JSON.stringify([version, DESCRIPTION_COMPILER_OPTIONS]);
}

const isInstalled = (path: string): boolean => path.includes('/node_modules/');

/**
 * Installed files (the compiler's lib, @types/node, this package's declarations) change only by
 * reinstalling, which changes their size or time; project files are compared by content, since
 * editors and git checkouts can leave times as they were.
 */
function fingerprint(path: string, text?: string): string | undefined {
  try {
    if (isInstalled(path)) {
      const { size, mtimeMs } = statSync(path);
      return `${size}:${mtimeMs}`;
    }
    // Without a byte order mark, as the compiler reads it.
    const content = text ?? readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
    return createHash('sha256').update(content).digest('hex');
  } catch {
    return undefined;
  }
}

/** The description as last checked, if no file the check read has changed since; else undefined. */
export function readCheckRecord(description: string): CheckedDescription | undefined {
  let record: CheckRecord;
  try {
    record = JSON.parse(readFileSync(typeCheckRecordPath(description), 'utf8')) as CheckRecord;
  } catch {
    return undefined; // none yet, or unreadable: check again, which rewrites it
  }
  if (record.tool !== toolKey()) return undefined;
  for (const [path, expected] of Object.entries(record.inputs))
    if (fingerprint(path) !== expected) return undefined;
  return { files: record.files, transpiled: record.transpiled };
}

/** What the record keeps of the files a check read (`inputs`: their text as read), if all still exist. */
export function fingerprintsOf(
  inputs: ReadonlyMap<string, string>,
): Record<string, string> | undefined {
  const fingerprints: Record<string, string> = {};
  for (const [path, text] of inputs) {
    const value = fingerprint(path, isInstalled(path) ? undefined : text);
    if (value === undefined) return undefined; // gone already: nothing worth recording
    fingerprints[path] = value;
  }
  return fingerprints;
}

/** Records a successful check, with the fingerprints of the files it read. */
export function writeCheckRecord(
  description: string,
  checked: CheckedDescription,
  fingerprints: Record<string, string>,
): void {
  const record: CheckRecord = { tool: toolKey(), inputs: fingerprints, ...checked };
  writeFileAtomic(typeCheckRecordPath(description), JSON.stringify(record));
}
