import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { LOCAL, makeProject, STEP_CLIENT, runAsync } from '../helpers/cli.js';
import {
  cloudEnv,
  copyOf,
  DECODE_EXAMPLE,
  liveInstances,
  ninjaAsync,
  remoteExecAsync,
  remoteGenAsync,
  testCloud,
} from '../helpers/cloud.js';

interface Event {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

/** trace.json as Perfetto and chrome://tracing read it: the JSON Array Format, its `]` optional. */
function readTrace(dir: string): Event[] {
  const text = readFileSync(join(dir, '.scons-remote/trace.json'), 'utf8');
  assert.equal(text.trimEnd().endsWith(']'), false, 'left open, so steps only append');
  return JSON.parse(`${text}]`) as Event[];
}

const stepsOf = (events: Event[]) => events.filter((event) => event.cat === 'step');

const TARGETS = Array.from({ length: 16 }, (_, i) => `out/${i + 1}.txt`);
const MAKEFILE = `REMOTE = ${STEP_CLIENT} --config remote.json
all: ${TARGETS.join(' ')}
out/%.txt: in.txt
\t$(REMOTE) --in in.txt --out $@ -- 'mkdir -p out && cp in.txt $@'
broken:
\t$(REMOTE) -- false
`;

describe('the trace of a build and its summary', () => {
  it('records 16 concurrent steps of one make -j16 as one build, and starts anew with the next', async () => {
    const dir = makeProject({ Makefile: MAKEFILE, 'in.txt': 'payload\n', 'remote.json': '{}' });
    const make = await runAsync('make', ['-j16'], dir, LOCAL);
    assert.equal(make.status, 0, make.stderr);
    const events = readTrace(dir);
    assert.equal(new Set(events.map((event) => event.pid)).size, 1, 'one build');
    assert.match(String(events[0]!.args!.name), /^build: make \(pid \d+\)$/);
    const steps = stepsOf(events);
    assert.equal(steps.length, 16);
    assert.equal(new Set(steps.map((step) => step.tid)).size, 16);
    const names = events.filter((event) => event.name === 'thread_name');
    assert.deepEqual(names.map((event) => event.args!.name).sort(), [...TARGETS].sort());
    const status = await remoteExecAsync(dir, {}, ['--config', 'remote.json', 'status', '--last']);
    assert.equal(status.status, 0, status.stderr);
    assert.match(
      status.stdout,
      /^last build \(make \(pid \d+\), [\d-]+ [\d:]+Z\): 16 steps \(0 remote, 16 local\) in \d+\.\d s; 0 B up, 0 B down; connect 0\.0 s, upload 0\.0 s, run 0\.0 s, download 0\.0 s \(summed over steps\); trace: \.scons-remote\/trace\.json\n$/,
    );

    const broken = await runAsync('make', ['broken'], dir, LOCAL);
    assert.notEqual(broken.status, 0);
    assert.equal(stepsOf(readTrace(dir)).length, 1, 'a new build, a new trace');
    const last = await remoteExecAsync(dir, {}, ['--config', 'remote.json', 'status', '--last']);
    assert.match(last.stdout, / 1 step \(0 remote, 1 local, 1 failed\) /);
  });

  it('says so when no build was traced yet', async () => {
    const dir = makeProject({ 'remote.json': '{}' });
    const status = await remoteExecAsync(dir, {}, ['--config', 'remote.json', 'status', '--last']);
    assert.equal(status.status, 0);
    assert.match(status.stdout, /^no build traced yet in .*\.scons-remote\n$/);
  });
});

describe('the trace of a remote build', () => {
  let cloud: Cloud;
  let env: NodeJS.ProcessEnv;
  let dir: string;

  before(async () => {
    cloud = await testCloud();
    env = cloudEnv(cloud);
    dir = copyOf(DECODE_EXAMPLE);
  });
  after(async () => {
    await remoteExecAsync(dir, env, ['down']);
    assert.deepEqual(liveInstances(cloud), []);
    await cloud.stop();
  });

  it('shows provisioning and each phase of a remote step, nested in it, with the bytes moved', async () => {
    assert.equal((await remoteGenAsync(dir, env)).status, 0);
    const build = await ninjaAsync(dir, env);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    const events = readTrace(dir);
    assert.match(String(events[0]!.args!.name), /^build: ninja \(pid \d+\)$/);
    const [provision, step] = stepsOf(events);
    assert.equal(provision!.name, 'provision');
    assert.equal(step!.name, 'remote');
    const phasesOf = (tid: number) =>
      events.filter((event) => event.cat === 'phase' && event.tid === tid);
    assert.deepEqual(
      phasesOf(provision!.tid).map((event) => event.name),
      ['provision'],
    );
    const phases = phasesOf(step!.tid);
    assert.deepEqual(
      phases.map((event) => event.name),
      ['connect', 'upload', 'run', 'download'],
    );
    for (const phase of phases) {
      assert.ok(phase.ts! >= step!.ts! && phase.ts! + phase.dur! <= step!.ts! + step!.dur!);
    }
    const size = (file: string) => statSync(join(dir, file)).size;
    assert.equal(step!.args!.bytesUp, size('decode.py') + size('message.txt'));
    assert.equal(step!.args!.bytesDown, size('decoded.txt'));
    const status = await remoteExecAsync(dir, env, ['status', '--last']);
    assert.match(
      status.stdout,
      new RegExp(
        `: 1 step \\(1 remote, 0 local\\) in \\d+\\.\\d s; ${step!.args!.bytesUp} B up, ${step!.args!.bytesDown} B down; connect \\d+\\.\\d s, upload .* \\(summed over steps\\); provisioning \\d+\\.\\d s; trace: `,
      ),
    );
    writeFileSync(join(dir, 'message.txt'), 'Uryyb.\n');
    assert.equal((await ninjaAsync(dir, env)).status, 0);
    const again = stepsOf(readTrace(dir));
    assert.deepEqual(
      again.map((event) => event.name),
      ['remote'],
      'the provisioned instance is reused: nothing to provision',
    );
    assert.equal(again[0]!.args!.bytesUp, size('message.txt'), 'only the changed input is sent');
  });
});
