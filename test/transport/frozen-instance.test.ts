import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { connect, type Transport } from '../../src/transport/index.js';
import { tempDir } from '../helpers/cli.js';
import { testCloud } from '../helpers/cloud.js';
import {
  freezeInstance,
  hugeSparseFile,
  launchInstance,
  remoteOutput,
  until,
} from './instance-faults.js';

// The instance freezes (every process of it SIGSTOPped, its kernel still holding the connection open) in the
// middle of each phase; a short stall timeout is configured. Each test has an instance of its own to freeze.

describe('an instance that freezes mid-operation', () => {
  let cloud: Cloud;
  before(async () => (cloud = await testCloud()));
  after(() => cloud.stop());

  async function frozenDuring(
    phase: string,
    operation: (transport: Transport) => Promise<unknown>,
    started: (spy: Transport) => Promise<boolean> | boolean,
  ) {
    const { target } = await launchInstance(cloud);
    const transport = await connect(target, { stallSeconds: 2 });
    const spy = await connect(target, { stallSeconds: 2 });
    const running = operation(transport);
    await until(() => started(spy));
    const failed = assert.rejects(running, {
      message: new RegExp(
        `^ssh: connection to ${target.host.replace(/\./g, '\\.')} lost during ${phase} \\((no progress|no answer to keepalives) for 2 s\\)$`,
      ),
    });
    await freezeInstance(spy);
    await failed;
    await assert.rejects(transport.exec('true'), {
      message: /^ssh: connection to [\d.]+ already lost \(/,
    });
    await transport.close();
    await spy.close();
  }

  it('fails an upload', { timeout: 120_000 }, async () => {
    const local = tempDir();
    hugeSparseFile(local, 'big.bin');
    await frozenDuring(
      'upload',
      (transport) => transport.put(local, ['big.bin'], 'up'),
      async (spy) =>
        Number(await remoteOutput(spy, 'stat -c %s up/big.bin 2>/dev/null || echo 0')) > 0,
    );
  });

  it('fails a running command', { timeout: 120_000 }, async () => {
    await frozenDuring(
      'the command',
      (transport) => transport.exec('touch started && sleep 600'),
      async (spy) => (await spy.exec('test -e started')) === 0,
    );
  });

  it('fails a download', { timeout: 120_000 }, async () => {
    const local = tempDir();
    const big = join(local, 'big.bin');
    await frozenDuring(
      'download',
      async (transport) => {
        await transport.exec('mkdir -p down && truncate -s 20G down/big.bin');
        return transport.get('down', ['big.bin'], local);
      },
      () => existsSync(big) && statSync(big).size > 0,
    );
  });
});
