import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const OWN_CODE_URL = new URL('..', import.meta.url).href;
const OWN_CODE = fileURLToPath(OWN_CODE_URL);
const FRAME = /\(?((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)\)?$/;
/**
 * Frames a call site reads first: the API method and its caller, with room for a callback such as
 * Array.prototype.map between them. Capturing the stack is most of what a call site costs, and it
 * grows with the frames taken; a deeper call is read again with the usual limit.
 */
const NEAR_FRAMES = 4;

/** Maps a 1-based line and column of the JavaScript that ran back to the line of the file as written. */
export type LineMapper = (file: string, line: number, column: number) => number;

let originalLine: LineMapper = (_file, line) => line;

/** remote-gen runs descriptions as JavaScript transpiled from TypeScript; messages must name the .ts lines. */
export function mapLinesWith(mapper: LineMapper): void {
  originalLine = mapper;
  locations.clear();
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
/** Locations by frame: a loop declares its steps from one line, whose source map is read once. */
const locations = new Map<string, string>();

/** `file:line` of a frame, if it is the description's code, not this package's or Node's. */
function descriptionLocation(url: string, line: number, column: number): string | undefined {
  if (!filesByUrl.has(url)) filesByUrl.set(url, descriptionFile(url));
  const found = filesByUrl.get(url);
  if (!found) return undefined;
  const frame = `${url}:${line}:${column}`;
  let location = locations.get(frame);
  if (location === undefined) {
    location = `${found.shown}:${originalLine(found.file, line, column)}`;
    locations.set(frame, location);
  }
  return location;
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

const asFrames = (_error: Error, frames: NodeJS.CallSite[]): NodeJS.CallSite[] => frames;

/** The innermost `limit` frames of the stack above the caller of callSite. */
function framesAbove(limit: number): NodeJS.CallSite[] {
  const { prepareStackTrace, stackTraceLimit } = Error;
  Error.prepareStackTrace = asFrames;
  Error.stackTraceLimit = limit;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  Error.captureStackTrace(holder, callSite);
  const frames = holder.stack ?? [];
  Error.prepareStackTrace = prepareStackTrace;
  Error.stackTraceLimit = stackTraceLimit;
  return frames;
}

function firstDescriptionLocation(frames: readonly NodeJS.CallSite[]): string | undefined {
  for (const frame of frames) {
    const [url, line, column] = [
      frame.getFileName(),
      frame.getLineNumber(),
      frame.getColumnNumber(),
    ];
    const found = url && line && column ? descriptionLocation(url, line, column) : undefined;
    if (found) return found;
  }
  return undefined;
}

/**
 * `file:line` of the description code that called into the API, relative to the working directory.
 * Read from V8's call sites rather than a formatted stack: a description of 10,000 steps calls this
 * 10,000 times, and formatting and parsing each stack was a tenth of remote-gen's time there.
 */
export function callSite(): string {
  const near = framesAbove(NEAR_FRAMES);
  return (
    firstDescriptionLocation(near) ??
    (near.length < NEAR_FRAMES
      ? undefined
      : firstDescriptionLocation(framesAbove(Error.stackTraceLimit))) ??
    'description'
  );
}

/**
 * The call site of an API call that keeps no location, for the errors it throws before it returns:
 * the stack is read only when a message names it (`${CALLER}`), since reading it costs.
 */
export const CALLER = { toString: callSite } as const;
