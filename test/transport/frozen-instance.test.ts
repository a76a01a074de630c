import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/emulator/index.js';
import type { Transport } from '../../src/transport/index.js';
import { testCloud } from '../helpers/cloud.js';
import { failsDuring, freezeInstance, operationsUnderWay } from './instance-faults.js';

// The instance freezes (every process of it SIGSTOPped, its kernel still holding the connection open) in the
// middle of each phase; a short stall timeout is configured. Each test has an instance of its own to freeze.

describe('an instance that freezes mid-operation', () => {
  let cloud: Cloud;
  before(async () => (cloud = await testCloud()));
  after(() => cloud.stop());

  const frozen = {
    inflict: (spy: Transport) => freezeInstance(spy),
    reasons: 'no progress for 2 s|no answer to keepalives for 2 s',
    options: { stallSeconds: 2 },
  };

  for (const under of operationsUnderWay()) {
    it(
      `fails ${under.title}, then refuses further commands and closes at once`,
      { timeout: 120_000 },
      () => failsDuring(cloud, under, frozen),
    );
  }
});
