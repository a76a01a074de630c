import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import { testCloud } from '../helpers/cloud.js';
import { failsDuring, operationsUnderWay } from './instance-faults.js';

// The instance's sshd is killed in the middle of each phase; each test has an instance of its own to kill.

describe('an instance whose sshd dies mid-operation', () => {
  let cloud: Cloud;
  before(async () => (cloud = await testCloud()));
  after(() => cloud.stop());

  const sshdKilled = {
    inflict: (_spy: unknown, instanceId: string) => cloud.killSshd(instanceId),
    reasons: 'closed by the instance|ECONNRESET|EPIPE',
  };

  for (const under of operationsUnderWay()) {
    it(
      `fails ${under.title}, then refuses further commands and closes at once`,
      { timeout: 120_000 },
      () => failsDuring(cloud, under, sshdKilled),
    );
  }
});
