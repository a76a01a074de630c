import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const OWN_CODE_URL = new URL('..', import.meta.url).href;
const OWN_CODE = fileURLToPath(OWN_CODE_URL);
const FRAME = /\(?((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)\)?$/;

/** Maps a 1-based line and column of the JavaScript that ran back to the line of the file as written. */
export type LineMapper = (file: string, line: number, column: number) => number;

let originalLine: LineMapper = (_file, line) => line;

/** remote-gen runs descriptions as JavaScript transpiled from TypeScript; messages must name the .ts lines. */
export function mapLinesWith(mapper: LineMapper): void {
  originalLine = mapper;
}

/** A frame's file and its name relative to the working directory; undefined unless it is the
 * description's code (not this package's or Node's). */
function descriptionFile(url: string): { file: string; shown: string } | undefined {
  if (url.startsWith(OWN_CODE_URL)) return undefined;
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (file.startsWith(OWN_CODE) || file.startsWith('node:') || !file.startsWith('/'))
    return undefined;
  return { file, shown: relative(process.cwd(), file) };
}

/** descriptionFile by URL: a description of 10,000 steps asks about the same few URLs 20,000 times. */
const filesByUrl = new Map<string, ReturnType<typeof descriptionFile>>();

/** `file:line` of a frame, if it is the description's code, not this package's or Node's. */
function descriptionLocation(url: string, line: number, column: number): string | undefined {
  if (!filesByUrl.has(url)) filesByUrl.set(url, descriptionFile(url));
  const found = filesByUrl.get(url);
  return found && `${found.shown}:${originalLine(found.file, line, column)}`;
}

/** `file:line` of the innermost frame of a stack that is the description's code. */
export function stackLocation(stack: string): string | undefined {
  for (const line of stack.split('\n')) {
    const frame = line.trim();
    const match = frame.startsWith('at ') ? FRAME.exec(frame) : null;
    const found = match && descriptionLocation(match[1]!, Number(match[2]), Number(match[3]));
    if (found) return found;
  }
  return undefined;
}

/**
 * `file:line` of the description code that called into the API, relative to the working directory.
 * Read from V8's call sites rather than a formatted stack: a description of 10,000 steps calls this
 * 15,000 times, and formatting and parsing each stack was a tenth of remote-gen's time there.
 */
export function callSite(): string {
  const formatStack = Error.prepareStackTrace;
  Error.prepareStackTrace = (_error, frames) => frames;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  Error.captureStackTrace(holder, callSite);
  const frames = holder.stack ?? [];
  Error.prepareStackTrace = formatStack;
  for (const frame of frames) {
    const [url, line, column] = [
      frame.getFileName(),
      frame.getLineNumber(),
      frame.getColumnNumber(),
    ];
    const found = url && line && column ? descriptionLocation(url, line, column) : undefined;
    if (found) return found;
  }
  return 'description';
}
