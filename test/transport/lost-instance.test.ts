import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { connect, type Transport } from '../../src/transport/index.js';
import { tempDir } from '../helpers/cli.js';
import { testCloud } from '../helpers/cloud.js';
import { hugeSparseFile, launchInstance, remoteOutput, until } from './instance-faults.js';

// The instance's sshd is killed in the middle of each phase; each test has an instance of its own to kill.

describe('an instance whose sshd dies mid-operation', () => {
  let cloud: Cloud;
  before(async () => (cloud = await testCloud()));
  after(() => cloud.stop());

  /** Starts `operation` on a fresh instance, kills its sshd once `started`, and checks what the caller sees. */
  async function killedDuring(
    phase: string,
    operation: (transport: Transport) => Promise<unknown>,
    started: (spy: Transport) => Promise<boolean> | boolean,
  ) {
    const { id, target } = await launchInstance(cloud);
    const transport = await connect(target);
    const spy = await connect(target);
    const running = operation(transport);
    await until(() => started(spy));
    const failed = assert.rejects(running, {
      message: new RegExp(
        `^ssh: connection to ${target.host.replace(/\./g, '\\.')} lost during ${phase} \\((closed by the instance|ECONNRESET|EPIPE)\\)$`,
      ),
    });
    await cloud.killSshd(id);
    await failed;
    await assert.rejects(transport.exec('true'), {
      message: /^ssh: connection to [\d.]+ already lost \(/,
    });
    await transport.close();
    await spy.close();
  }

  it(
    'fails an upload at once, then refuses further commands and closes at once',
    { timeout: 120_000 },
    async () => {
      const local = tempDir();
      hugeSparseFile(local, 'big.bin');
      await killedDuring(
        'upload',
        (transport) => transport.put(local, ['big.bin'], 'up'),
        async (spy) =>
          Number(await remoteOutput(spy, 'stat -c %s up/big.bin 2>/dev/null || echo 0')) > 0,
      );
    },
  );

  it('fails a running command', { timeout: 120_000 }, async () => {
    await killedDuring(
      'the command',
      (transport) => transport.exec('touch started && sleep 600'),
      async (spy) => (await spy.exec('test -e started')) === 0,
    );
  });

  it('fails a download', { timeout: 120_000 }, async () => {
    const local = tempDir();
    const big = join(local, 'big.bin');
    await killedDuring(
      'download',
      async (transport) => {
        await transport.exec('mkdir -p down && truncate -s 20G down/big.bin');
        return transport.get('down', ['big.bin'], local);
      },
      () => existsSync(big) && statSync(big).size > 0,
    );
  });
});
