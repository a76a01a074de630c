import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const OWN_CODE = fileURLToPath(new URL('..', import.meta.url));
const FRAME = /\(?((?:file:\/\/)?\/[^()]*?):(\d+):\d+\)?$/;

/** `file:line` of the description code that called into the API, relative to the working directory. */
export function callSite(): string {
  for (const line of (new Error().stack ?? '').split('\n').slice(1)) {
    const match = FRAME.exec(line.trim());
    if (!match) continue;
    const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
    if (file.startsWith(OWN_CODE) || file.startsWith('node:')) continue;
    return `${relative(process.cwd(), file)}:${match[2]}`;
  }
  return 'description';
}
