import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { connect, type Transport } from '../../src/transport/index.js';
import { testCloud } from '../helpers/cloud.js';
import { launchInstance, operationsUnderWay, until } from './instance-faults.js';

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

  for (const { phase, title, operation, started } of operationsUnderWay()) {
    it(
      `fails ${title}, then refuses further commands and closes at once`,
      { timeout: 120_000 },
      () => killedDuring(phase, operation, started),
    );
  }
});
