import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

// The files the measures move and the build descriptions they generate, written once per run.

export const BIG_FILE = 'big.bin';
export const BIG_BYTES = 200 * 1024 * 1024;
export const SMALL_FOLDER = 'small';
export const SMALL_COUNT = 1000;
export const SMALL_BYTES = 4096;

/** Random bytes, so that neither compression nor a store shared with another file can shrink them. */
export function writeBigFile(dir: string): void {
  const fd = openSync(join(dir, BIG_FILE), 'w');
  try {
    const chunk = 8 * 1024 * 1024;
    for (let written = 0; written < BIG_BYTES; written += chunk) writeSync(fd, randomBytes(chunk));
  } finally {
    closeSync(fd);
  }
}

export function writeSmallFiles(dir: string): void {
  mkdirSync(join(dir, SMALL_FOLDER), { recursive: true });
  for (let i = 0; i < SMALL_COUNT; i++) {
    const name = `f${String(i).padStart(4, '0')}`;
    writeFileSync(join(dir, SMALL_FOLDER, name), randomBytes(SMALL_BYTES));
  }
}

/** A Makefile of `count` independent steps, each `remote-exec -- true`. */
export function writeStepsMakefile(dir: string, remoteExec: string, count: number): string {
  const steps = Array.from({ length: count }, (_, i) => `step-${i + 1}`);
  const makefile = join(dir, 'steps.mk');
  writeFileSync(
    makefile,
    [
      `STEPS := ${steps.join(' ')}`,
      'all: $(STEPS)',
      `$(STEPS): ; @${remoteExec} -- true`,
      '.PHONY: all $(STEPS)',
      '',
    ].join('\n'),
  );
  return makefile;
}

/** A build.remote.ts of `steps` remote steps (and the files it names), as a user writes it. */
export function writeDescription(dir: string, steps: number): void {
  mkdirSync(join(dir, 'keys'), { recursive: true });
  writeFileSync(join(dir, 'keys/bench.pem'), '');
  writeFileSync(join(dir, 'in.txt'), 'input\n');
  writeFileSync(
    join(dir, 'build.remote.ts'),
    [
      "import { EnvironmentRemote } from 'scons-remote';",
      '',
      'const env = new EnvironmentRemote({ ENV: process.env });',
      'env.connectionInitialize(',
      "  { region: 'us-west-2' },",
      '  {',
      "    ImageId: 'ami-0123456789abcdef0',",
      "    InstanceType: 't2.micro',",
      "    KeyName: 'bench',",
      '    MinCount: 1,',
      '    MaxCount: 1,',
      "    InstanceInitiatedShutdownBehavior: 'terminate',",
      '  },',
      "  { username: 'ubuntu', privateKeyPath: 'keys/bench.pem' },",
      ');',
      `for (let i = 0; i < ${steps}; i++) {`,
      '  env.commandRemote({',
      '    target: `out/${i}.txt`,',
      "    source: 'in.txt',",
      "    action: env.actionRemote({ cmd: 'cp' }),",
      '  });',
      '}',
      '',
    ].join('\n'),
  );
}

/** Shell text that edits the description (a new comment line), as a user's edit makes ninja run remote-gen. */
export const EDIT_DESCRIPTION = 'echo "// edit $(date +%s%N)" >> build.remote.ts';
