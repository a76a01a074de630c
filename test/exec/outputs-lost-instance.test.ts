import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { projectInstances, remoteExecAsync } from '../helpers/cloud.js';
import { configProjectsOnCloud } from '../helpers/remote-project.js';
import { instanceRoot, until } from '../transport/instance-faults.js';

// The instance's sshd dies while a step's inputs go up, while it runs, or while its outputs come back: the step fails at once with one
// line saying so (before, cleanup on the dead connection hung and the shim exited 13 saying nothing).

describe('a step whose instance dies', () => {
  const { cloud, env, project } = configProjectsOnCloud();

  /** Runs a step on a fresh project's warm instance, and kills its sshd once `started` holds. */
  async function killedStep(
    args: string[],
    started: (dir: string, home: string) => boolean,
    prepare = (_dir: string) => {},
  ) {
    const dir = project();
    prepare(dir);
    assert.equal(
      (await remoteExecAsync(dir, env(), ['--config', 'remote.json', '--', 'true'])).status,
      0,
    );
    const [instance] = projectInstances(cloud(), dir);
    const { home } = instanceRoot(cloud(), instance!.instanceId);
    const step = remoteExecAsync(dir, env(), ['--config', 'remote.json', ...args]);
    await until(() => started(dir, home));
    await cloud().killSshd(instance!.instanceId);
    return { result: await step, host: instance!.address.replace(/\./g, '\\.'), dir };
  }

  it(
    'fails mid-upload with one line naming the instance and the phase',
    { timeout: 120_000 },
    async () => {
      // Content goes up into the store's incoming folder before the job folder links it.
      const uploaded = (home: string) => {
        const incoming = join(home, '.scons-remote/store/incoming');
        return (
          existsSync(incoming) &&
          readdirSync(incoming).some((job) =>
            readdirSync(join(incoming, job)).some(
              (blob) => statSync(join(incoming, job, blob)).size > 0,
            ),
          )
        );
      };
      const { result, host } = await killedStep(
        ['--in', 'big.bin', '--', 'true'],
        (_dir, home) => uploaded(home),
        // Big enough to be caught mid-upload, small enough to hash first in seconds.
        (dir) => execFileSync('truncate', ['-s', '2G', join(dir, 'big.bin')]),
      );
      assert.equal(result.status, 255);
      assert.match(
        result.stderr,
        new RegExp(
          `^remote-exec: error: ssh: connection to ${host} lost during upload \\([^)]+\\)\\n$`,
        ),
      );
    },
  );

  it(
    'fails mid-command with one line naming the instance and the phase',
    { timeout: 120_000 },
    async () => {
      const { result, host } = await killedStep(
        ['--out', 'o.txt', '--', 'touch "$HOME/started"; sleep 600'],
        (_dir, home) => existsSync(join(home, 'started')),
      );
      assert.equal(result.status, 255);
      // The shim first tries to attach to the step again, as after a network blip, then gives up.
      const attachAgain =
        'remote-exec: warning: lost the connection to the instance during the step; attaching to it again\\n';
      const lost = `remote-exec: error: ssh: connection to ${host} lost during the command \\([^)]+\\)`;
      const unreachable = `attaching again failed: ssh: ${host}:22 unreachable after \\d+ attempts \\(ECONNREFUSED\\)`;
      assert.match(result.stderr, new RegExp(`^${attachAgain}${lost}; ${unreachable}\\n$`));
    },
  );

  it(
    'fails mid-download the same way, leaving no output behind',
    { timeout: 120_000 },
    async () => {
      const scratchFile = (dir: string) => {
        const scratch = join(dir, '.scons-remote/scratch');
        const [job] = existsSync(scratch) ? readdirSync(scratch) : [];
        return job ? join(scratch, job, 'big.bin') : '';
      };
      const { result, host, dir } = await killedStep(
        ['--out', 'big.bin', '--', 'truncate -s 20G big.bin'],
        (dir) => {
          const file = scratchFile(dir);
          return file !== '' && existsSync(file) && statSync(file).size > 0;
        },
      );
      assert.equal(result.status, 255);
      assert.match(
        result.stderr,
        new RegExp(
          `^remote-exec: error: ssh: connection to ${host} lost during download \\([^)]+\\)\\n$`,
        ),
      );
      assert.ok(!existsSync(join(dir, 'big.bin')));
    },
  );
});
