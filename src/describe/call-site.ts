import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const OWN_CODE = fileURLToPath(new URL('..', import.meta.url));
const FRAME = /\(?((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)\)?$/;

/** Maps a 1-based line and column of the JavaScript that ran back to the line of the file as written. */
export type LineMapper = (file: string, line: number, column: number) => number;

let originalLine: LineMapper = (_file, line) => line;

/** remote-gen runs descriptions as JavaScript transpiled from TypeScript; messages must name the .ts lines. */
export function mapLinesWith(mapper: LineMapper): void {
  originalLine = mapper;
}

/** `file:line` of the innermost frame of a stack that is the description's code, not this package's or Node's. */
export function stackLocation(stack: string): string | undefined {
  for (const line of stack.split('\n')) {
    const frame = line.trim();
    const match = frame.startsWith('at ') ? FRAME.exec(frame) : null;
    if (!match) continue;
    const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
    if (file.startsWith(OWN_CODE) || file.startsWith('node:')) continue;
    return `${relative(process.cwd(), file)}:${originalLine(file, Number(match[2]), Number(match[3]))}`;
  }
  return undefined;
}

/** `file:line` of the description code that called into the API, relative to the working directory. */
export function callSite(): string {
  return stackLocation(new Error().stack ?? '') ?? 'description';
}
