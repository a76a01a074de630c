import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REMOTE, REMOTE_EXEC, runAsync } from '../helpers/cli.js';
import { configProjectsOnEngine } from '../helpers/engine-project.js';
import { builtLocally } from '../helpers/local-build.js';
import { describeTree } from './step.js';

const STEPS = 64;

/** 64 steps, each with an input of its own and one shared script, some outputs executable. */
function projectFiles(): Record<string, string> {
  const remote = `${process.execPath} ${REMOTE_EXEC} --config remote.json`;
  const lines = [
    `rule remote\n  command = ${remote} --in $in --out $out -- 'sh make.sh $in $out'\n`,
  ];
  const files: Record<string, string> = {
    'make.sh': 'mkdir -p out && sort -r "$2" > "$3" && case "$3" in *0) chmod +x "$3";; esac\n',
  };
  for (let n = 1; n <= STEPS; n++) {
    files[`in/${n}.txt`] = Array.from({ length: n }, (_, i) => `line ${i * n}\n`).join('');
    lines.push(`build out/${n}: remote make.sh in/${n}.txt`);
  }
  files['build.ninja'] = `${lines.join('\n')}\n`;
  return files;
}

describe('64 steps on a Remote Execution API engine through ninja -j16', () => {
  const { server, project } = configProjectsOnEngine();

  it('build as a local build does, then all from the action cache', async () => {
    const dir = project(projectFiles());
    const local = await builtLocally(dir, 'ninja', ['-j16']);

    const first = await runAsync('ninja', ['-j16'], dir, REMOTE);
    assert.equal(first.status, 0, first.stdout + first.stderr);
    assert.deepEqual(describeTree(join(dir, 'out')), describeTree(join(local, 'out')));
    assert.equal(server().stats.executions, STEPS);
    assert.equal(server().peers.size, 1, 'one channel for the build');

    const { executions, blobsUploaded } = server().stats;
    rmSync(join(dir, 'out'), { recursive: true });
    const second = await runAsync('ninja', ['-j16'], dir, REMOTE);
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.deepEqual(describeTree(join(dir, 'out')), describeTree(join(local, 'out')));
    assert.deepEqual(
      {
        executions: server().stats.executions - executions,
        blobsUploaded: server().stats.blobsUploaded - blobsUploaded,
      },
      { executions: 0, blobsUploaded: 0 },
      'all cache hits',
    );
  });
});
