import assert from 'node:assert/strict';
import {
  appendFileSync,
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it, type TestContext } from 'node:test';
import {
  typeCheckerLogPath,
  typeCheckerSocketPath,
} from '../../src/generate/type-checker-socket.js';
import { makeProject, REMOTE_GEN, remoteGen, runAsync, tempDir } from '../helpers/cli.js';
import { withoutCompiler } from './compiler-tripwire.js';

// remote-gen checks an edited description in the project's type-checker daemon; whatever becomes of
// the daemon, remote-gen still checks, with the same messages, and never waits long for it.

const DESCRIPTION = `import { EnvironmentRemote } from 'scons-remote';
const env = new EnvironmentRemote();
env.command({ target: 'a.txt', action: 'echo a > $TARGET' });
`;

function edit(dir: string, line: string): void {
  appendFileSync(join(dir, 'build.remote.ts'), line);
}

/** The daemons that listened in the project, from their log. */
function listened(dir: string): number[] {
  const log = typeCheckerLogPath(join(dir, '.scons-remote'));
  if (!existsSync(log)) return [];
  const lines = readFileSync(log, 'utf8').matchAll(/type-checker (\d+) listening/g);
  return [...lines].map((match) => Number(match[1]));
}

async function untilListened(dir: string, count: number): Promise<number[]> {
  while (listened(dir).length < count) await sleep(50);
  return listened(dir);
}

/** A stand-in on the daemon's socket, which treats each connection with `answer`. */
async function impostor(
  context: TestContext,
  dir: string,
  answer: (socket: Socket) => void,
): Promise<void> {
  const server = createServer(answer);
  const socketPath = typeCheckerSocketPath(join(dir, '.scons-remote'));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  context.after(() => server.close());
}

describe('remote-gen after an edit', () => {
  it("checks in the project's type-checker, without loading the compiler itself", () => {
    const dir = makeProject({ 'build.remote.ts': DESCRIPTION });
    assert.equal(remoteGen(dir).status, 0);
    edit(dir, "env.command({ target: 'b.txt', action: 'echo b > $TARGET' });\n");
    const gen = remoteGen(dir, [], withoutCompiler());
    assert.equal(gen.status, 0, gen.stderr);
    assert.match(readFileSync(join(dir, 'build.ninja'), 'utf8'), /^build b\.txt:/m);
    // Its socket is not in the project: a copy of the folder (which cannot copy a socket) works.
    cpSync(dir, tempDir(), { recursive: true });
  });

  it('reports type errors from the type-checker by file:line:col, suggesting names', () => {
    const dir = makeProject({ 'build.remote.ts': DESCRIPTION });
    assert.equal(remoteGen(dir).status, 0);
    edit(dir, "env.comand({ target: 'b.txt', action: 'echo b > $TARGET' });\n");
    const gen = remoteGen(dir, [], withoutCompiler());
    assert.equal(gen.status, 1);
    assert.match(
      gen.stderr,
      /^remote-gen: error: build\.remote\.ts:4:5: error TS2551: .*'comand'.* Did you mean 'command'\?/,
    );
  });

  it('replaces a type-checker that was killed', async () => {
    const dir = makeProject({ 'build.remote.ts': DESCRIPTION });
    assert.equal(remoteGen(dir).status, 0);
    const [killed] = await untilListened(dir, 1);
    process.kill(killed!, 'SIGKILL');
    edit(dir, "env.command({ target: 'b.txt', action: 'echo b > $TARGET' });\n");
    const gen = remoteGen(dir);
    assert.equal(gen.status, 0, gen.stderr);
    assert.equal((await untilListened(dir, 2)).length, 2);
    edit(dir, '// once more\n');
    assert.equal(remoteGen(dir, [], withoutCompiler()).status, 0);
  });

  it('checks by itself when the type-checker answers nothing, and replaces it', async (t) => {
    const dir = makeProject({ 'build.remote.ts': DESCRIPTION });
    await impostor(t, dir, () => undefined);
    const env = { SCONS_REMOTE_TYPE_CHECKER_WAIT_SECONDS: '1' };
    const gen = await runAsync(process.execPath, [REMOTE_GEN], dir, env);
    assert.equal(gen.status, 0, gen.stderr);
    await untilListened(dir, 1);
    edit(dir, '// edited\n');
    const again = remoteGen(dir, [], withoutCompiler());
    assert.equal(again.status, 0, again.stderr);
  });

  it('replaces a type-checker of another version', async (t) => {
    const dir = makeProject({ 'build.remote.ts': DESCRIPTION });
    await impostor(t, dir, (socket) => socket.end('{"type":"other-version"}\n'));
    const gen = await runAsync(process.execPath, [REMOTE_GEN], dir);
    assert.equal(gen.status, 0, gen.stderr);
    assert.equal(listened(dir).length, 1);
    edit(dir, '// edited\n');
    const again = remoteGen(dir, [], withoutCompiler());
    assert.equal(again.status, 0, again.stderr);
  });

  it('replaces a type-checker that could not load the compiler', async () => {
    const dir = makeProject({ 'build.remote.ts': DESCRIPTION });
    // The daemon this run starts inherits the tripwire, so it cannot check; nor can remote-gen.
    assert.equal(remoteGen(dir, [], withoutCompiler()).status, 1);
    await untilListened(dir, 1);
    const gen = remoteGen(dir);
    assert.equal(gen.status, 0, gen.stderr);
    edit(dir, '// edited\n');
    assert.equal(remoteGen(dir, [], withoutCompiler()).status, 0);
    assert.equal(listened(dir).length, 2);
  });

  it('uses no socket in a folder that other users may enter', () => {
    const dir = makeProject({ 'build.remote.ts': DESCRIPTION });
    const runtime = tempDir();
    const shared = join(runtime, `scons-remote-${process.getuid!()}`);
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const gen = remoteGen(dir, [], { XDG_RUNTIME_DIR: runtime });
    assert.equal(gen.status, 0, gen.stderr);
    assert.deepEqual(readdirSync(shared), []);
    assert.deepEqual(listened(dir), []);
  });

  it('checks by itself where no type-checker can start', () => {
    const dir = makeProject({ 'build.remote.ts': DESCRIPTION });
    const runtime = tempDir();
    writeFileSync(join(runtime, `scons-remote-${process.getuid!()}`), 'a file, not a folder\n');
    const gen = remoteGen(dir, [], { XDG_RUNTIME_DIR: runtime });
    assert.equal(gen.status, 0, gen.stderr);
    assert.ok(existsSync(join(dir, 'build.ninja')));
  });
});
