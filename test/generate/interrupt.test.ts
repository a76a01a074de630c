import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { makeProject, ninja, remoteGen, withEnv } from '../helpers/cli.js';

// Under SLOW_DESCRIPTION the description announces it is running, then waits until it is interrupted.
const DESCRIPTION = `import { writeFileSync } from 'node:fs';
import { EnvironmentRemote } from 'scons-remote';
if (process.env.SLOW_DESCRIPTION) {
  writeFileSync('started', '');
  await new Promise((resolve) => setTimeout(resolve, 600_000));
}
new EnvironmentRemote().command({ target: 'a.txt', action: 'echo a > $TARGET' });
`;

async function interruptWhenStarted(dir: string): Promise<void> {
  const child = spawn('ninja', [], {
    cwd: dir,
    env: withEnv({ SLOW_DESCRIPTION: '1' }),
    detached: true,
    stdio: 'ignore',
  });
  let running = true;
  const closed = new Promise((resolve) => child.once('close', resolve)).finally(
    () => (running = false),
  );
  while (!existsSync(join(dir, 'started'))) {
    assert.ok(running, 'ninja ended before it re-ran remote-gen');
    await sleep(50);
  }
  // What a terminal's Ctrl-C does: SIGINT to the whole foreground process group.
  process.kill(-child.pid!, 'SIGINT');
  await closed;
}

describe('remote-gen interrupted while ninja regenerates', () => {
  it('keeps build.ninja, and the next ninja regenerates and builds', async () => {
    const dir = makeProject({ 'build.remote.ts': DESCRIPTION });
    assert.equal(remoteGen(dir).status, 0);
    const previous = readFileSync(join(dir, 'build.ninja'), 'utf8');
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'build.remote.ts'), later, later);

    await interruptWhenStarted(dir);

    assert.equal(readFileSync(join(dir, 'build.ninja'), 'utf8'), previous);
    const build = ninja(dir);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    assert.match(build.stdout, /regenerating build\.ninja/);
    assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'a\n');
  });
});
