import { openSync, readdirSync, statSync, writeSync, closeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

// `node freshen.js PATH…`: gives each file (each file of a folder) content never seen before, in place,
// by overwriting its first 4 KB with random bytes. Run by hyperfine before each timed run of a "fresh
// input" measure, so that no cache of content (rsync's, a content-addressed store's) can skip it.

const HEAD = 4096;

function freshen(file: string): void {
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, randomBytes(Math.min(size, HEAD)), 0, Math.min(size, HEAD), 0);
  } finally {
    closeSync(fd);
  }
}

for (const path of process.argv.slice(2)) {
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) freshen(join(path, name));
  else freshen(path);
}
