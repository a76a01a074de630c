// Transport speed side by side with what a user would otherwise run (OpenSSH ssh, scp, rsync), in one run,
// against one emulated instance, reported as ratios. Run: npm run bench
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCloud } from '../src/emulator/index.js';
import { launchRunningInstance } from '../src/emulator/sdk.js';
import { connect, type SshTarget } from '../src/transport/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function command(program: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${program} exited ${code}`)),
    );
  });
}

async function median(task: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await task();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

function makeTree(root: string): string[] {
  mkdirSync(join(root, 'tree/small'), { recursive: true });
  for (let i = 0; i < 200; i++)
    writeFileSync(join(root, `tree/small/file-${i}.txt`), `line ${i}\n`.repeat(20));
  writeFileSync(join(root, 'tree/large.bin'), Buffer.alloc(20 * 1024 * 1024, 7));
  return ['tree'];
}

const cloud = await startCloud({ bootDelayMs: 50 });
try {
  const { host } = await launchRunningInstance(cloud);
  const target: SshTarget = {
    host,
    sshArgs: { username: cloud.sshUser, privateKeyPath: cloud.keyPair.privateKeyPath },
  };
  const ssh = [
    '-i',
    cloud.keyPair.privateKeyPath,
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
  ];
  const remote = `${cloud.sshUser}@${host}`;
  const local = mkdtempSync(join(tmpdir(), 'scons-remote-bench-'));
  const paths = makeTree(local);
  const back = join(local, 'back');

  const rows: [string, string, number, number][] = [];
  const compare = async (
    what: string,
    theirs: string,
    ours: () => Promise<unknown>,
    other: () => Promise<unknown>,
  ) => {
    rows.push([what, theirs, await median(ours), await median(other)]);
  };
  await compare(
    'connect + run `true` + close',
    'ssh host true',
    async () => {
      const transport = await connect(target);
      await transport.exec('true');
      await transport.close();
    },
    () => command('ssh', [...ssh, remote, 'true']),
  );
  const transport = await connect(target);
  await compare(
    'upload 200 small files + 20 MB',
    'scp -r',
    () => transport.put(local, paths, 'bench/ours'),
    () => command('scp', [...ssh, '-r', '-q', join(local, 'tree'), `${remote}:bench-scp`]),
  );
  await compare(
    'upload 200 small files + 20 MB',
    'rsync -a (full copy)',
    () => transport.put(local, paths, 'bench/ours'),
    async () => {
      await command('ssh', [...ssh, remote, 'rm -rf bench-rsync']);
      await command('rsync', [
        '-a',
        '-e',
        `ssh ${ssh.join(' ')}`,
        join(local, 'tree'),
        `${remote}:bench-rsync/`,
      ]);
    },
  );
  await compare(
    'download the same tree',
    'scp -r',
    async () => {
      rmSync(back, { recursive: true, force: true });
      await transport.get('bench/ours', paths, back);
    },
    async () => {
      rmSync(back, { recursive: true, force: true });
      await command('scp', [...ssh, '-r', '-q', `${remote}:bench/ours/tree`, back]);
    },
  );
  await compare(
    'download the same tree',
    'rsync -a (full copy)',
    async () => {
      rmSync(back, { recursive: true, force: true });
      await transport.get('bench/ours', paths, back);
    },
    async () => {
      rmSync(back, { recursive: true, force: true });
      await command('rsync', [
        '-a',
        '-e',
        `ssh ${ssh.join(' ')}`,
        `${remote}:bench/ours/tree`,
        back,
      ]);
    },
  );
  await transport.close();

  // The whole build step as ninja runs it (a fresh shim process), against the same step done by hand with OpenSSH.
  const config = {
    clientArgs: { region: cloud.region },
    instanceArgs: { ImageId: cloud.imageId, KeyName: cloud.keyPair.name, MinCount: 1, MaxCount: 1 },
    sshArgs: { username: cloud.sshUser, privateKeyPath: cloud.keyPair.privateKeyPath },
  };
  writeFileSync(join(local, 'remote.json'), JSON.stringify(config));
  writeFileSync(join(local, 'in.txt'), 'input\n');
  Object.assign(process.env, cloud.env());
  const shim = fileURLToPath(new URL('../shim/remote-exec.js', import.meta.url));
  const step = [
    '--config',
    join(local, 'remote.json'),
    '--in',
    'in.txt',
    '--out',
    'out.txt',
    '--',
    'tr a-z A-Z < in.txt > out.txt',
  ];
  process.chdir(local);
  await command(process.execPath, [shim, '--config', join(local, 'remote.json'), 'up']);
  await compare(
    'one build step (remote-exec)',
    'scp + ssh + scp',
    () => command(process.execPath, [shim, ...step]),
    async () => {
      await command('scp', [...ssh, '-q', 'in.txt', `${remote}:in.txt`]);
      await command('ssh', [...ssh, remote, 'tr a-z A-Z < in.txt > out.txt']);
      await command('scp', [...ssh, '-q', `${remote}:out.txt`, 'out.txt']);
    },
  );
  rmSync(local, { recursive: true, force: true });

  process.stdout.write(
    `median of ${RUNS} runs each, same instance, same machine; ratio < 1 means scons-remote is faster\n\n`,
  );
  process.stdout.write(
    `${'operation'.padEnd(32)} ${'compared with'.padEnd(22)} ${'ours ms'.padStart(9)} ${'theirs ms'.padStart(10)} ${'ratio'.padStart(7)}\n`,
  );
  for (const [what, theirs, ours, other] of rows) {
    process.stdout.write(
      `${what.padEnd(32)} ${theirs.padEnd(22)} ${ours.toFixed(1).padStart(9)} ${other.toFixed(1).padStart(10)} ${(ours / other).toFixed(2).padStart(7)}\n`,
    );
  }
} finally {
  await cloud.stop();
}
