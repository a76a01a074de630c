import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readTrace } from '../../src/exec/trace/trace-file.js';
import { STATE_DIR } from '../../src/layout/local-state.js';
import { LOCAL, run, runAsync, STEP_CLIENT, tempDir } from '../helpers/cli.js';
import { configProjectsOnCloud } from '../helpers/remote-project.js';

const WRITE_STEP_CLIENT = fileURLToPath(
  new URL('../../src/exec/write-step-client.js', import.meta.url),
);

/** Which client ran the last step, as the trace says (this test process is their build). */
function clientOf(dir: string): unknown {
  const steps = (readTrace(join(dir, STATE_DIR)) ?? []).filter((event) => event.cat === 'step');
  return steps.at(-1)?.args?.client;
}

/** A run whose output is kept as bytes. */
function runBytes(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env } });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  return new Promise<{ status: number | null; stdout: Buffer; stderr: Buffer }>((resolve) =>
    child.once('close', (status) =>
      resolve({ status, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) }),
    ),
  );
}

describe('the native step client (the remote-exec a build runs)', () => {
  const cloud = configProjectsOnCloud();
  const step = (dir: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    runAsync(STEP_CLIENT, ['--config', 'remote.json', ...args], dir, { ...cloud.env(), ...env });

  it('leaves the first step to the node client, which starts the agent, then relays each step to it', async () => {
    const dir = cloud.project({ 'in.txt': 'payload\n' });
    const first = await step(dir, ['--in', 'in.txt', '--out', 'a.txt', '--', 'cp in.txt a.txt']);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(clientOf(dir), 'node');
    const second = await step(dir, ['--in', 'in.txt', '--out', 'b.txt', '--', 'cp in.txt b.txt']);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(clientOf(dir), 'native');
    assert.equal(readFileSync(join(dir, 'b.txt'), 'utf8'), 'payload\n');
  });

  it("relays the command's stdout and stderr byte for byte and exits with its status", async () => {
    const dir = cloud.project();
    await step(dir, ['--', 'true']);
    const command = 'head -c 3000000 /dev/urandom > out.bin; cat out.bin; echo oops >&2; exit 3';
    const args = ['--config', 'remote.json', '--out', 'out.bin', '--', command];
    const relayed = await runBytes(STEP_CLIENT, args, dir, cloud.env());
    assert.equal(relayed.status, 3);
    assert.equal(relayed.stderr.toString(), 'oops\n');
    assert.equal(clientOf(dir), 'native');
    // A failed step brings nothing back; the bytes on stdout are the whole proof here.
    assert.equal(relayed.stdout.length, 3_000_000);
  });

  it('finds the agent of an environment whose values need escaping, as the node client names it', async () => {
    const dir = cloud.project();
    const env = { AWS_SCONS_TEST: 'quote " backslash \\ tab \t newline \n é ✓ 🚀 \u0001' };
    assert.equal((await step(dir, ['--', 'true'], env)).status, 0);
    const again = await step(dir, ['--', 'echo $0'], env);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(clientOf(dir), 'native');
  });

  it("says the step's mistakes in one line, as the node client does", async () => {
    const dir = cloud.project();
    await step(dir, ['--', 'true']);
    const missing = await step(dir, ['--in', 'nowhere.txt', '--', 'true']);
    assert.equal(missing.status, 255);
    assert.equal(missing.stderr, "remote-exec: error: input 'nowhere.txt' does not exist\n");
    assert.equal(clientOf(dir), 'native');
    const outside = await step(dir, ['--out', '../escape.txt', '--', 'true']);
    assert.equal(outside.status, 255);
    assert.match(outside.stderr, /^remote-exec: error: .*escape\.txt.*\n$/);
  });

  it('leaves subcommands, help, local mode and arguments that are not UTF-8 to the node client', async () => {
    const dir = cloud.project({ 'in.txt': 'x\n' });
    await step(dir, ['--', 'true']);
    const help = run(STEP_CLIENT, ['--help'], dir);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^remote-exec \[--profile ID/);
    const local = run(STEP_CLIENT, ['--config', 'remote.json', '--', 'echo here'], dir, LOCAL);
    assert.deepEqual([local.status, local.stdout], [0, 'here\n']);
    // node would pass the argument as UTF-8: a shell passes the byte as it is.
    const latin1 = `exec ${STEP_CLIENT} --config remote.json --in in.txt -- "$(printf 'echo caf\\351')"`;
    const odd = await runAsync('sh', ['-c', latin1], dir, cloud.env());
    assert.equal(odd.status, 0, odd.stderr);
    assert.equal(clientOf(dir), 'node');
  });
});

describe('the step client where no C compiler is found', () => {
  it('is a script that runs the node client, and the build says why steps will be slower', () => {
    const program = join(tempDir(), 'remote-exec');
    const build = run(process.execPath, [WRITE_STEP_CLIENT, program], tempDir(), { CC: 'false' });
    assert.equal(build.status, 0, build.stderr);
    assert.match(
      build.stderr,
      /^remote-exec: no native step client \(false: .*install a C compiler/,
    );
    const step = run(program, ['--config', 'remote.json', '--', 'echo ran here'], tempDir(), LOCAL);
    assert.deepEqual([step.status, step.stdout], [0, 'ran here\n']);
  });
});
