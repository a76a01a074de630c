import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, describe, it } from 'node:test';
import { agentKey } from '../../src/exec/agent/agent-key.js';
import {
  agentLogPath,
  agentPidPath,
  agentSocketPath,
  STATE_DIR,
} from '../../src/layout/local-state.js';
import { STEP_CLIENT, withEnv } from '../helpers/cli.js';
import {
  eventually,
  projectInstances,
  remoteExecAsync,
  runInstancesCalls,
} from '../helpers/cloud.js';
import { configProjectsOnCloud } from '../helpers/remote-project.js';

/** What listens on an agent's socket in place of a good agent. */
const IMPOSTORS = {
  /** Accepts, reads, never answers. */
  wedged: 'socket.resume();',
  /** Answers every hello as an agent of protocol version 0 would. */
  'of another version': `socket.on('data', () => {
      const body = Buffer.from(JSON.stringify({ type: 'hello', version: 0, pid: process.pid }));
      const header = Buffer.alloc(5); header.writeUInt32BE(body.length + 1); header.writeUInt8(0, 4);
      socket.write(Buffer.concat([header, body]));
    });`,
};

/** A process listening on `path`; it prints `listening` once it does. */
function impostor(path: string, onConnection: string): ChildProcess {
  mkdirSync(dirname(path), { recursive: true });
  const script = `require('net').createServer((socket) => { ${onConnection} })
    .listen(${JSON.stringify(path)}, () => console.log('listening'));`;
  return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function listening(child: ChildProcess): Promise<void> {
  await new Promise((resolve) => child.stdout!.once('data', resolve));
}

function exited(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve) => child.once('exit', resolve));
}

describe('the project agent, when it is dead, stale, wedged, killed or its instance replaced', () => {
  const impostors: ChildProcess[] = [];
  // Before the projects are taken down: a wedged impostor on an agent's socket would hang that.
  after(() => {
    for (const child of impostors) child.kill('SIGKILL');
  });
  const { cloud, env, project: projectOnCloud } = configProjectsOnCloud();

  const paths = (dir: string) => {
    const stateDir = `${dir}/${STATE_DIR}`;
    const key = agentKey(withEnv(env()));
    return {
      socket: agentSocketPath(stateDir, key),
      log: agentLogPath(stateDir, key),
      pid: agentPidPath(stateDir, key),
    };
  };
  const project = () => projectOnCloud({ 'in.txt': 'in\n' });
  const step = (dir: string, command = 'cat in.txt') =>
    remoteExecAsync(dir, env(), ['--config', 'remote.json', '--in', 'in.txt', '--', command]);
  const agentsStarted = (dir: string) =>
    readFileSync(paths(dir).log, 'utf8')
      .split('\n')
      .filter((line) => / listening on /.test(line)).length;

  it('replaces a socket left behind by a dead agent', async () => {
    const dir = project();
    const dead = impostor(paths(dir).socket, '');
    await listening(dead);
    dead.kill('SIGKILL');
    await exited(dead);
    assert.ok(existsSync(paths(dir).socket), 'the dead agent left its socket');
    const result = await step(dir);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'in\n');
    assert.equal(agentsStarted(dir), 1);
  });

  for (const [kind, behaviour] of Object.entries(IMPOSTORS)) {
    it(`replaces an agent ${kind}, and never hangs on it`, async () => {
      const dir = project();
      const other = impostor(paths(dir).socket, behaviour);
      impostors.push(other);
      await listening(other);
      const result = await step(dir);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, 'in\n');
      assert.equal(agentsStarted(dir), 1);
    });
  }

  it('starts one agent for eight steps started at once', async () => {
    const dir = project();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => step(dir, `echo ${i}`)));
    results.forEach((result, i) => assert.deepEqual([result.status, result.stdout], [0, `${i}\n`]));
    assert.equal(agentsStarted(dir), 1);
  });

  it('reconnects when the instance was replaced between steps', async () => {
    const dir = project();
    assert.equal((await step(dir)).status, 0);
    const [first] = projectInstances(cloud(), dir);
    await cloud().terminateBehindBack(first!.instanceId);
    const launches = runInstancesCalls(cloud());
    const result = await step(dir);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'in\n');
    assert.equal(runInstancesCalls(cloud()) - launches, 1);
    assert.notEqual(projectInstances(cloud(), dir)[0]!.instanceId, first!.instanceId);
    assert.equal(agentsStarted(dir), 1);
  });

  it('fails a step with one line when the agent is killed during it; the next step starts another', async () => {
    const dir = project();
    assert.equal((await step(dir)).status, 0);
    const pid = Number(readFileSync(paths(dir).pid, 'utf8'));
    let stdout = '';
    const child = spawn(STEP_CLIENT, ['--config', 'remote.json', '--', 'echo started; sleep 600'], {
      cwd: dir,
      env: withEnv(env()),
    });
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    const status = new Promise((resolve) => child.once('close', resolve));
    await eventually(() => stdout.includes('started'));
    process.kill(pid, 'SIGKILL');
    assert.equal(await status, 255);
    assert.equal(
      stderr,
      `remote-exec: error: the agent (pid ${pid}) ended during the step; its log is ${paths(dir).log}\n`,
    );
    const next = await step(dir);
    assert.equal(next.status, 0, next.stderr);
    assert.equal(agentsStarted(dir), 2);
  });
});
