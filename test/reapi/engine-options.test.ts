import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readEngineOptions } from '../../src/reapi/engine-options.js';

describe('remote execution connection', () => {
  it('accepts the options of a common engine', () => {
    const options = {
      endpoint: 'grpcs://remote.buildbuddy.io:443',
      instanceName: 'main',
      platform: { OSFamily: 'linux', 'container-image': 'docker://debian:12' },
      timeoutSeconds: 600,
      headersFromEnv: { 'x-buildbuddy-api-key': 'BUILDBUDDY_API_KEY' },
      tls: { caFile: 'ca.pem' },
    };
    assert.deepEqual(readEngineOptions(options, 'remote.json'), options);
  });

  const refusals: [string, unknown, string][] = [
    ['a string', 'grpc://x:1', 'must be an object'],
    ['an endpoint without port', { endpoint: 'grpc://host' }, 'endpoint must look like'],
    ['an http endpoint', { endpoint: 'http://host:80' }, 'endpoint must look like'],
    ['a misspelt option', { endpoint: 'grpc://h:1', instance: 'x' }, "has no option 'instance'"],
    [
      'a secret in place of a variable',
      { endpoint: 'grpc://h:1', headersFromEnv: { k: 1 } },
      'headersFromEnv.k must be a string',
    ],
    ['a zero timeout', { endpoint: 'grpc://h:1', timeoutSeconds: 0 }, 'timeoutSeconds must be'],
    [
      'an unknown tls file',
      { endpoint: 'grpc://h:1', tls: { key: 'k.pem' } },
      "tls has no option 'key'",
    ],
  ];
  for (const [what, value, message] of refusals) {
    it(`refuses ${what} in one line naming the file`, () => {
      assert.throws(
        () => readEngineOptions(value, 'remote.json'),
        (error: Error) => {
          assert.equal(error.name, 'UserError');
          assert.ok(
            error.message.startsWith(`remote.json: remoteExecution ${message}`),
            error.message,
          );
          assert.ok(!error.message.includes('\n'));
          return true;
        },
      );
    });
  }
});
