import { randomBytes } from 'node:crypto';

// cloud-init reads user data as a MIME multipart message, running the shell-script parts in order and telling
// the kind of a text/plain part by its first line. So the tool's guard goes first, and the user's own user data
// follows unchanged: nested as it is when it is itself multipart, else as a text/plain part kept byte for byte.

function part(headers: string[], body: string): string {
  return `${['MIME-Version: 1.0', ...headers].join('\n')}\n\n${body}`;
}

function usersPart(encoded: string): string {
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  if (/^(content-type:\s*multipart\/|mime-version:)/i.test(text)) return text.replace(/\n+$/, '');
  const wrapped = encoded.replace(/\s+/g, '').replace(/(.{76})/g, '$1\n');
  return part(
    ['Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: base64'],
    wrapped.replace(/\n$/, ''),
  );
}

/** RunInstances' UserData (base64, as the EC2 API takes it): the guard script, plus the user's own if any. */
export function userDataWithGuard(usersEncoded: string | undefined, guardScript: string): string {
  const boundary = `==scons-remote-${randomBytes(8).toString('hex')}==`;
  const parts = [
    part(
      [
        'Content-Type: text/x-shellscript; charset="us-ascii"',
        'Content-Disposition: attachment; filename="scons-remote-guard.sh"',
      ],
      guardScript,
    ),
    ...(usersEncoded ? [usersPart(usersEncoded)] : []),
  ];
  const message = [
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    'MIME-Version: 1.0',
    '',
    ...parts.map((body) => `--${boundary}\n${body}`),
    `--${boundary}--`,
    '',
  ].join('\n');
  return Buffer.from(message).toString('base64');
}
