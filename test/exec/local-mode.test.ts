import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { LOCAL, makeProject, REMOTE_EXEC, STEP_CLIENT, run, withEnv } from '../helpers/cli.js';

/** `mode` null: SCONS_REMOTE_MODE unset. */
function remoteExec(dir: string, args: string[], mode: string | null = 'local') {
  return run(STEP_CLIENT, args, dir, {
    SCONS_REMOTE_MODE: mode ?? undefined,
  });
}

describe('remote-exec in local mode', () => {
  it('passes stdout, stderr and the exit code through unchanged, whatever the letter case of the mode', () => {
    const dir = makeProject({ 'in.txt': 'data\n' });
    for (const mode of ['local', 'LOCAL', 'Local']) {
      const result = remoteExec(
        dir,
        ['--profile', 'abc', '--in=in.txt', '--out=x', '--', 'cat in.txt; echo oops >&2; exit 3'],
        mode,
      );
      assert.equal(result.status, 3);
      assert.equal(result.stdout, 'data\n');
      assert.equal(result.stderr, 'oops\n');
    }
  });

  it('joins the words after -- as ssh does, so the command line is shell text', () => {
    const dir = makeProject({});
    const result = remoteExec(dir, [
      '--config',
      'remote.json',
      '--in',
      '--out',
      'o.txt',
      '--',
      'printf',
      "'%s-'",
      'a b',
      '>',
      'o.txt',
      '&&',
      'cat',
      'o.txt',
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'a-b-');
  });

  it('reports a signal as 128 + its number', () => {
    const result = remoteExec(makeProject({}), ['--', 'kill -TERM $$']);
    assert.equal(result.status, 143);
  });

  it('names a missing input and does not run the command', () => {
    const dir = makeProject({});
    const result = remoteExec(dir, ['--in', 'missing.txt', '--', 'touch ran']);
    assert.equal(result.status, 255);
    assert.equal(result.stderr, "remote-exec: error: input 'missing.txt' does not exist\n");
    assert.ok(!existsSync(join(dir, 'ran')));
  });

  it("makes the outputs' folders first, as the instance does, so a Makefile rule needs no mkdir", () => {
    const dir = makeProject({ 'in.txt': 'data\n' });
    const result = remoteExec(dir, [
      '--in',
      'in.txt',
      '--out',
      'build/obj/x.txt',
      '--',
      'cp in.txt build/obj/x.txt',
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readFileSync(join(dir, 'build/obj/x.txt'), 'utf8'), 'data\n');
  });

  it('hands the command what a shell would: no variable of its own, no descriptor more', () => {
    const dir = makeProject({});
    const seen = 'env | grep -c SCONS_REMOTE_LOCAL; ls /proc/$$/fd | tr "\\n" " "';
    const shell = run('/bin/sh', ['-c', seen], dir);
    const result = remoteExec(dir, ['--', seen]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, shell.stdout);
    // The node client alone (no native client) runs it as well, and ignores an offer to run the
    // command that its parent did not make.
    const offer = { SCONS_REMOTE_MODE: 'local', SCONS_REMOTE_LOCAL_COMMAND: '1:1' };
    const alone = run(process.execPath, [REMOTE_EXEC, '--', seen], dir, offer);
    assert.equal(alone.status, 0, alone.stderr);
    assert.equal(alone.stdout, shell.stdout);
  });

  it('ends with its command on Ctrl-C', async () => {
    const dir = makeProject({});
    // Started as ninja starts a step: in a process group of its own, which Ctrl-C signals whole.
    const step = spawn(STEP_CLIENT, ['--', 'echo started; sleep 1; touch survived'], {
      cwd: dir,
      env: withEnv(LOCAL),
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ended = once(step, 'close');
    await once(step.stdout, 'data');
    process.kill(-step.pid!, 'SIGINT');
    const [status, signal] = (await ended) as [number | null, string | null];
    assert.equal(status ?? signal, 'SIGINT');
    await sleep(1500);
    assert.ok(!existsSync(join(dir, 'survived')), 'the command was stopped');
  });

  it('answers options and subcommands as in remote mode', () => {
    const dir = makeProject({});
    const help = remoteExec(dir, ['--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^remote-exec \[--profile ID \| --config remote\.json\]/);
    const status = remoteExec(dir, ['status']);
    assert.equal(status.status, 255);
    assert.match(status.stderr, /^remote-exec: error: no connection profiles in /);
  });

  it('needs a command after --', () => {
    const result = remoteExec(makeProject({}), ['--in', 'x']);
    assert.equal(result.status, 255);
    assert.match(result.stderr, /^remote-exec: error: no command given/);
  });
});

describe('SCONS_REMOTE_MODE', () => {
  it('refuses a value that is neither local nor remote, naming the accepted ones, before anything runs', () => {
    const dir = makeProject({});
    for (const mode of ['locale', 'yes', ' local']) {
      const result = remoteExec(dir, ['--config', 'remote.json', '--', 'touch ran'], mode);
      assert.equal(result.status, 255);
      assert.equal(
        result.stderr,
        `remote-exec: error: SCONS_REMOTE_MODE=${mode} is not a mode: use 'local' or 'remote' (unset means remote)\n`,
      );
      assert.ok(!existsSync(join(dir, 'ran')));
    }
  });
});

describe('remote-exec in remote mode', () => {
  it('never falls back to running locally when the connection is not usable', () => {
    const dir = makeProject({});
    for (const mode of [null, 'remote', 'REMOTE', '']) {
      const result = remoteExec(dir, ['--profile', 'deadbeef0000', '--', 'touch ran'], mode);
      assert.equal(result.status, 255);
      assert.match(
        result.stderr,
        /^remote-exec: error: .*deadbeef0000\.json: no such connection profile; run remote-gen again\n$/,
      );
      assert.ok(!existsSync(join(dir, 'ran')));
    }
  });
});
