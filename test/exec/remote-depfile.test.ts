import assert from 'node:assert/strict';
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { LOCAL, tempDir } from '../helpers/cli.js';
import {
  cloudEnv,
  liveInstances,
  ninjaAsync,
  remoteExecAsync,
  remoteGenAsync,
  testCloud,
} from '../helpers/cloud.js';

// gcc finds the headers through an absolute -I first ($PWD on the instance is the job folder), so
// its depfile and its messages name them by the instance's absolute paths.
const DESCRIPTION = `import { EnvironmentRemote } from 'scons-remote';
const env = new EnvironmentRemote({ ENV: process.env });
const { REMOTE_REGION, REMOTE_IMAGE_ID, REMOTE_KEY_NAME, REMOTE_USER, REMOTE_KEY_PATH } = process.env;
env.connectionInitialize(
  { region: REMOTE_REGION! },
  { ImageId: REMOTE_IMAGE_ID!, KeyName: REMOTE_KEY_NAME!, MinCount: 1, MaxCount: 1 },
  { username: REMOTE_USER!, privateKeyPath: REMOTE_KEY_PATH! },
);
const gcc = (flags: string[]) => env.actionRemote({ cmd: 'gcc', cmdArgs: ['-I"$PWD/include"', ...flags, '-c'] });
for (const name of ['a', 'bad', 'nodep']) {
  env.commandRemote({
    target: \`obj/\${name}.o\`, depfile: \`obj/\${name}.d\`, deps: 'gcc',
    source: [env.value('-I'), 'include', \`src/\${name}.c\`, env.value('-o')],
    action: gcc(name === 'nodep' ? [] : ['-MMD']),
  });
}
env.commandRemote({
  target: 'garbled.txt', depfile: 'garbled.d',
  action: env.actionRemote({ cmd: 'sh -c \\'echo compiled fine > garbled.d && : > "$0"\\'' }),
});
`;

const FILES: Record<string, string> = {
  'build.remote.ts': DESCRIPTION,
  'include/a.h': '#define A 1\n',
  'include/bad.h': 'int broken(void)\n',
  'src/a.c': '#include "a.h"\nint a = A;\n',
  'src/bad.c': '#include "bad.h"\nint fine;\n',
  'src/nodep.c': 'int nodep;\n',
};

/** A project in a folder whose name has a space, which a depfile must escape. */
function project(): string {
  const dir = join(tempDir(), 'my project');
  for (const [path, content] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return realpathSync(dir);
}

/** The lines ninja printed for a failed step that are remote-exec's own. */
function shimLines(output: string): string[] {
  return output.split('\n').filter((line) => line.startsWith('remote-exec:'));
}

describe('paths a remote step prints or writes mean the same here', () => {
  let cloud: Cloud;
  let env: NodeJS.ProcessEnv;
  let dir: string;

  before(async () => {
    cloud = await testCloud();
    env = cloudEnv(cloud);
    dir = project();
    assert.equal((await remoteGenAsync(dir, env)).status, 0);
  });
  after(async () => {
    assert.equal((await remoteExecAsync(dir, env, ['down'])).status, 0);
    assert.deepEqual(liveInstances(cloud), []);
    await cloud.stop();
  });

  it("a depfile's job-folder paths become the project's, so an edited header rebuilds", async () => {
    const build = await ninjaAsync(dir, env, ['obj/a.o']);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    const deps = await ninjaAsync(dir, env, ['-t', 'deps', 'obj/a.o']);
    const [, header] = /\(VALID\)\n {4}src\/a\.c\n {4}(.*)\n/.exec(deps.stdout) ?? [];
    assert.equal(header, `${dir}/include/a.h`, deps.stdout);
    assert.match((await ninjaAsync(dir, env, ['obj/a.o'])).stdout, /no work to do/);
    writeFileSync(join(dir, 'include/a.h'), '#define A 2\n');
    const again = await ninjaAsync(dir, env, ['obj/a.o']);
    assert.match(again.stdout, /REMOTE obj\/a\.o/);
  });

  it("a compiler's messages name the files here, relative or absolute as it printed them", async () => {
    const build = await ninjaAsync(dir, env, ['obj/bad.o']);
    assert.equal(build.status, 1);
    assert.match(build.stdout, /^In file included from src\/bad\.c:1:$/m);
    const header = `${dir}/include/bad.h`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(build.stdout, new RegExp(`^${header}:1:\\d+: error: `, 'm'));
    assert.match(build.stdout, /^src\/bad\.c:\d+(:\d+)?: error: /m);
    assert.doesNotMatch(build.stdout, /\.scons-remote\/jobs/);
    assert.equal(existsSync(join(dir, 'obj/bad.o')), false);
  });

  for (const [mode, modeEnv] of [
    ['remotely', {}],
    ['in local mode', LOCAL],
  ] as const) {
    it(`a depfile not written or not a depfile fails the step, naming it (${mode})`, async () => {
      const stepEnv = { ...env, ...modeEnv };
      const missing = await ninjaAsync(dir, stepEnv, ['obj/nodep.o']);
      assert.notEqual(missing.status, 0);
      assert.deepEqual(shimLines(missing.stdout), [
        "remote-exec: error: the command succeeded but did not write its depfile 'obj/nodep.d' of 'obj/nodep.o'",
      ]);
      const garbled = await ninjaAsync(dir, stepEnv, ['garbled.txt']);
      assert.notEqual(garbled.status, 0);
      assert.deepEqual(shimLines(garbled.stdout), [
        "remote-exec: error: depfile 'garbled.d' of 'garbled.txt' is not in Makefile syntax: line 1 has no 'target:'",
      ]);
      if (mode === 'remotely') assert.equal(existsSync(join(dir, 'garbled.txt')), false);
    });
  }
});
