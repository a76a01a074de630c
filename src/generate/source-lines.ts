import { SourceMap } from 'node:module';
import type { LineMapper } from '../describe/call-site.js';

/** A LineMapper over the source maps of the transpiled description files, keyed by absolute path. */
export function lineMapperFor(sourceMaps: ReadonlyMap<string, string>): LineMapper {
  const parsed = new Map<string, SourceMap>();
  return (file, line, column) => {
    const text = sourceMaps.get(file);
    if (text === undefined) return line;
    let map = parsed.get(file);
    if (!map) parsed.set(file, (map = new SourceMap(JSON.parse(text))));
    const entry = map.findEntry(line - 1, column - 1) as { originalLine?: number };
    return entry.originalLine === undefined ? line : entry.originalLine + 1;
  };
}
