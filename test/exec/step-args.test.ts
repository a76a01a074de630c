import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainStepArgs } from '../../src/exec/step-args.js';

// The fast path of a step's arguments must read the plain form exactly as yargs does, and leave
// everything else to yargs (undefined), so messages and unusual forms stay yargs' own.
describe('a build step read without yargs', () => {
  it('reads the plain form', () => {
    assert.deepEqual(
      plainStepArgs([
        '--config',
        'r.json',
        '--in',
        'a',
        'b',
        '-v',
        '--out',
        'o',
        '--',
        'cc',
        '-c',
        'a',
      ]),
      { config: 'r.json', inputs: ['a', 'b'], outputs: ['o'], verbose: true, command: 'cc -c a' },
    );
  });

  it('reads the form build.ninja writes, where a value may start with -', () => {
    assert.deepEqual(
      plainStepArgs([
        '--profile',
        'abc',
        '--in=-r',
        '--in=src/a.c',
        '--out=a.o',
        '--depfile=a.d',
        '--',
        'gcc',
        '-c',
      ]),
      {
        profile: 'abc',
        inputs: ['-r', 'src/a.c'],
        outputs: ['a.o'],
        depfile: 'a.d',
        verbose: false,
        command: 'gcc -c',
      },
    );
  });

  for (const argv of [
    ['--config', 'r.json', 'cc'],
    ['--config', 'r.json', '--'],
    ['--config=', '--', 'true'],
    ['--config', 'a', '--config', 'b', '--', 'true'],
    ['--in', '--out', 'o', '--', 'true'],
    ['--config', 'r.json', 'stray', '--', 'true'],
    ['--config', 'r.json', '--verbos', '--', 'true'],
    ['up', '--config', 'r.json', '--', 'true'],
    ['--help', '--', 'true'],
    ['--constructor', 'x', '--', 'true'],
  ])
    it(`leaves ${JSON.stringify(argv)} to yargs`, () => {
      assert.equal(plainStepArgs(argv), undefined);
    });
});
