import { Ec2Error } from './errors.js';

// What cloud-init's final stage runs from an instance's user data, for the emulator: a script (`#!…`) alone, or
// the shell scripts of a MIME multipart message (nested ones too), in order. Cloud-config and other part types
// configure things an emulated instance does not have, so they are ignored.

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

/** RunInstances' UserData parameter, which the EC2 API takes base64-encoded. */
export function decodeUserData(encoded: string | undefined): string | undefined {
  if (encoded === undefined || encoded === '') return undefined;
  if (!BASE64.test(encoded))
    throw new Ec2Error('InvalidParameterValue', 'Invalid BASE64 encoding of user data.');
  return Buffer.from(encoded, 'base64').toString('utf8');
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

function splitHeaders(text: string): Part {
  const normalized = text.replace(/\r\n/g, '\n');
  const end = normalized.indexOf('\n\n');
  const head = end === -1 ? normalized : normalized.slice(0, end);
  const body = end === -1 ? '' : normalized.slice(end + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function boundaryOf(contentType: string): string | undefined {
  return /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
}

function scriptsOfMultipart(message: string): string[] {
  const { headers, body } = splitHeaders(message);
  const contentType = headers.get('content-type') ?? '';
  const boundary = boundaryOf(contentType);
  if (!boundary) return [];
  const sections = body.split(`--${boundary}`).slice(1);
  const scripts: string[] = [];
  for (const section of sections) {
    if (section.startsWith('--')) break;
    const text = section.replace(/^\n/, '');
    const part = splitHeaders(text);
    const type = (part.headers.get('content-type') ?? 'text/plain').toLowerCase();
    const content = /base64/i.test(part.headers.get('content-transfer-encoding') ?? '')
      ? Buffer.from(part.body, 'base64').toString('utf8')
      : part.body.replace(/\n$/, '');
    if (type.startsWith('multipart/')) scripts.push(...scriptsOfMultipart(text));
    else if (
      type.startsWith('text/x-shellscript') ||
      (type.startsWith('text/plain') && content.startsWith('#!'))
    )
      scripts.push(content);
  }
  return scripts;
}

/** The scripts the instance runs at its first boot, in order. */
export function bootScripts(userData: string | undefined): string[] {
  if (userData === undefined) return [];
  if (userData.startsWith('#!')) return [userData];
  if (/^content-type:\s*multipart\//i.test(userData) || /^mime-version:/i.test(userData))
    return scriptsOfMultipart(userData);
  return [];
}
