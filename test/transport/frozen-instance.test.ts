import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { connect, type Transport } from '../../src/transport/index.js';
import { testCloud } from '../helpers/cloud.js';
import { freezeInstance, launchInstance, operationsUnderWay, until } from './instance-faults.js';

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

  for (const { phase, title, operation, started } of operationsUnderWay()) {
    it(
      `fails ${title}, then refuses further commands and closes at once`,
      { timeout: 120_000 },
      () => frozenDuring(phase, operation, started),
    );
  }
});
