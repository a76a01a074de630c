import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, describe, it } from 'node:test';
import { STEP_CLIENT, withEnv } from '../helpers/cli.js';
import { projectInstances, remoteExecAsync } from '../helpers/cloud.js';
import { configProjectsOnCloud } from '../helpers/remote-project.js';

/** A step that starts a child in its group, records the child's pid on the instance, then waits for it. */
const longStep = (name: string) =>
  `mkdir -p $HOME/pids; sleep 100000 & echo $! > $HOME/pids/${name}; echo started; wait`;

function shim(
  dir: string,
  env: NodeJS.ProcessEnv,
  args: string[],
): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(STEP_CLIENT, ['--config', 'remote.json', ...args], {
    cwd: dir,
    env: withEnv(env),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) =>
    child.once('close', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

/** Polls `condition` (about a minute at most); the assertion that follows says what was expected. */
async function eventually(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !condition(); i++) await sleep(100);
}

function list(path: string): string[] {
  return existsSync(path) ? readdirSync(path) : [];
}

describe('a remote step whose client is gone, cancels, or loses its connection', () => {
  const { cloud, env, project } = configProjectsOnCloud();
  let dir: string;
  let home: string;
  let instanceId: string;

  /** Kills the per-connection sshd processes of the instance, so its connections end as on a network fault. */
  function dropConnections(): number {
    const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
    const parentOf = (pid: string) => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]!;
      } catch {
        return '';
      }
    };
    const cmdline = (pid: string) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        return '';
      }
    };
    const wrapper = pids.find(
      (pid) =>
        cmdline(pid).startsWith('unshare') &&
        cmdline(pid).includes(`/instances/${instanceId}/home`),
    );
    const listener = pids.find((pid) => parentOf(pid) === wrapper);
    // Each connection is a privileged monitor and an unprivileged child serving it: both go, the shells stay.
    // Only sshd's own processes: orphans (a supervisor, the watchdog) are the listener's children too.
    const monitors = pids.filter(
      (pid) => parentOf(pid) === listener && cmdline(pid).startsWith('sshd'),
    );
    const sessions = [
      ...monitors,
      ...pids.filter((pid) => monitors.includes(parentOf(pid)) && cmdline(pid).startsWith('sshd')),
    ];
    for (const pid of sessions) process.kill(Number(pid), 'SIGKILL');
    return sessions.length;
  }

  /** The step folders, control folders and running markers left on the instance, and its live step processes. */
  async function leftOnInstance(): Promise<{ folders: string[]; alive: string }> {
    const base = join(home, '.scons-remote');
    await eventually(
      () =>
        [...list(join(base, 'jobs')), ...list(join(base, 'steps')), ...list(join(base, 'running'))]
          .length === 0,
    );
    const folders = ['jobs', 'steps', 'running'].flatMap((name) =>
      list(join(base, name)).map((entry) => `${name}/${entry}`),
    );
    const check = await remote(
      'for f in $HOME/pids/*; do kill -0 $(cat $f) 2>/dev/null && echo ${f##*/}; done; rm -f $HOME/pids/*; true',
    );
    assert.equal(check.status, 0, check.stderr);
    return { folders, alive: check.stdout };
  }

  /** One step of the project, run to its end. */
  const remote = (command: string) =>
    remoteExecAsync(dir, env(), ['--config', 'remote.json', '--', command]);

  /** A long step whose client's heartbeat may lapse after 2 s, once it has started. */
  async function startedWithShortHeartbeat(name: string): Promise<ReturnType<typeof shim>> {
    const step = shim(dir, { ...env(), SCONS_REMOTE_HEARTBEAT_SECONDS: '2' }, [
      '--in',
      'in.txt',
      '--',
      longStep(name),
    ]);
    await eventually(() => step.stdout().includes('started'));
    return step;
  }

  before(async () => {
    dir = project({ 'in.txt': 'x\n' });
    assert.equal((await remote('true')).status, 0);
    instanceId = projectInstances(cloud(), dir)[0]!.instanceId;
    home = join(cloud().stateDir, 'instances', instanceId, 'home');
  });

  it('stops a step whose shim was SIGKILLed once no heartbeat comes, and cleans its folder', async () => {
    const step = await startedWithShortHeartbeat('killed');
    step.child.kill('SIGKILL');
    await step.exit;
    assert.deepEqual(await leftOnInstance(), { folders: [], alive: '' });
  });

  it('shows the output of a step that runs long while it runs', async () => {
    const step = shim(dir, env(), [
      '--',
      'echo first; echo warning >&2; while [ ! -e $HOME/go-on ]; do sleep 0.1; done; echo second',
    ]);
    await eventually(() => step.stdout() === 'first\n' && step.stderr() === 'warning\n');
    assert.deepEqual([step.stdout(), step.stderr()], ['first\n', 'warning\n']);
    writeFileSync(join(home, 'go-on'), '');
    assert.equal(await step.exit, 0);
    assert.deepEqual([step.stdout(), step.stderr()], ['first\nsecond\n', 'warning\n']);
    await remote('rm $HOME/go-on');
  });

  it('stops what a finished step left running in the background', async () => {
    const run = await remote(
      'mkdir -p $HOME/pids; sleep 100000 > /dev/null 2>&1 & echo $! > $HOME/pids/leftover',
    );
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(await leftOnInstance(), { folders: [], alive: '' });
  });

  it('stops an abandoned step although the warden that watched it was killed', async () => {
    const step = await startedWithShortHeartbeat('unwatched');
    const killed = await remote('kill -KILL $(cat $HOME/.scons-remote/warden.pid)');
    assert.equal(killed.status, 0, killed.stderr);
    // The step's next heartbeat starts another warden, which sees the client go.
    await sleep(1500);
    step.child.kill('SIGKILL');
    await step.exit;
    assert.deepEqual(await leftOnInstance(), { folders: [], alive: '' });
  });

  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`stops the step on the instance when the shim gets ${signal}, and exits ${status} as a shell would`, async () => {
      const step = shim(dir, env(), ['--in', 'in.txt', '--', longStep(signal)]);
      await eventually(() => step.stdout().includes('started'));
      step.child.kill(signal);
      assert.equal(await step.exit, status);
      assert.deepEqual(await leftOnInstance(), { folders: [], alive: '' });
    });
  }

  it('stops all four steps of ninja -j4 on Ctrl-C', async () => {
    const edges = [1, 2, 3, 4].map((i) => `build out${i}: remote\n  name = ninja${i}\n`).join('');
    const command = longStep('NAME').replace(/\$/g, '$$$$').replace('NAME', '$name');
    const rule = `rule remote\n  command = ${STEP_CLIENT} --config remote.json --out $out -- '${command}'\n`;
    writeFileSync(join(dir, 'build.ninja'), `${rule}${edges}`);
    const ninja = spawn('ninja', ['-j4'], { cwd: dir, env: withEnv(env()), stdio: 'ignore' });
    const exit = new Promise((resolve) => ninja.once('close', resolve));
    await eventually(() => list(join(home, 'pids')).length === 4);
    assert.equal(list(join(home, 'pids')).length, 4);
    ninja.kill('SIGINT');
    assert.notEqual(await exit, 0);
    assert.deepEqual(await leftOnInstance(), { folders: [], alive: '' });
  });

  it('survives a dropped connection: the step finishes with all its output once, in order, and its status', async () => {
    const numbers = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\n`).join('');
    const command =
      'seq 1 3000; seq 1 500 >&2; while [ ! -e $HOME/go ]; do sleep 0.1; done; rm $HOME/go; seq 3001 6000; echo last >&2; exit 7';
    const step = shim(dir, env(), ['--in', 'in.txt', '--', command]);
    await eventually(() => step.stdout().includes('\n3000\n'));
    assert.ok(dropConnections() > 0, 'the instance had a connection to drop');
    writeFileSync(join(home, 'go'), '');
    assert.equal(await step.exit, 7);
    assert.equal(step.stdout(), numbers(1, 6000));
    const lines = step.stderr().split(/(?<=\n)/);
    const own = lines.filter((line) => line.startsWith('remote-exec:'));
    assert.deepEqual(own, [
      'remote-exec: warning: lost the connection to the instance during the step; attaching to it again\n',
    ]);
    assert.equal(lines.filter((line) => !own.includes(line)).join(''), `${numbers(1, 500)}last\n`);
    assert.deepEqual((await leftOnInstance()).folders, []);
  });
});
