import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ninjaPath, ninjaValue, renderManifest } from '../../src/generate/ninja-manifest.js';

describe('ninja-manifest', () => {
  it('escapes paths and values the way ninja reads them', () => {
    assert.equal(ninjaPath('a b:$c'), 'a$ b$:$$c');
    assert.equal(ninjaValue('echo $HOME', 'x'), 'echo $$HOME');
    assert.throws(
      () => ninjaValue('a\nb', 'build.remote.ts:3'),
      /^UserError: build\.remote\.ts:3: command contains a line break/,
    );
  });

  it('puts pools before the rules that use them and supports implicit outputs', () => {
    const text = renderManifest({
      comment: 'test',
      pools: [{ name: 'remote_x', depth: 2 }],
      rules: [{ name: 'r', command: '$cmd' }],
      edges: [
        {
          rule: 'r',
          outputs: ['o'],
          implicitOutputs: ['p'],
          inputs: ['i'],
          orderOnlyInputs: ['s'],
          variables: { cmd: 'true' },
          pool: 'remote_x',
        },
      ],
      defaults: ['o', 'p'],
    });
    assert.ok(text.indexOf('pool remote_x') < text.indexOf('rule r'));
    assert.match(text, /^build o \| p: r i \|\| s\n {2}cmd = true\n {2}pool = remote_x$/m);
    assert.match(text, /^default o p$/m);
  });
});
