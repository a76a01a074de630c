import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandAction, remoteCommandLine } from '../../src/generate/expand-command.js';

const value = (text: string) => ({ kind: 'value', value: text }) as const;

describe('expandAction', () => {
  it('expands SCons variables to quoted paths and leaves other shell variables alone', () => {
    const text = expandAction(
      'cat $SOURCES ${SOURCE} > $TARGET; echo $HOME $$ $SOURCESX',
      ['a b', 'c'],
      ['o$t'],
    );
    assert.equal(text, "cat 'a b' c 'a b' > 'o$t'; echo $HOME $ $SOURCESX");
  });

  it('passes paths that start with - as ./-name', () => {
    assert.equal(
      expandAction('cp $SOURCES $TARGET', ['-r', value('-v')], ['-L.out']),
      'cp ./-r -v ./-L.out',
    );
  });
});

describe('remoteCommandLine', () => {
  it('is cmd, cmdArgs, then sources (values in place) and targets', () => {
    const action = { kind: 'remote-action', cmd: 'python3', cmdArgs: ['-B', '-v'] } as const;
    assert.equal(
      remoteCommandLine(action, ['x.py', value('two words'), 'in.txt'], ['out dir/o.txt']),
      "python3 -B -v x.py 'two words' in.txt 'out dir/o.txt'",
    );
  });

  it('passes paths that start with - as ./-name, values as written', () => {
    const action = { kind: 'remote-action', cmd: 'cp', cmdArgs: [] } as const;
    assert.equal(remoteCommandLine(action, ['-r', value('-v')], ['-L.out']), 'cp ./-r -v ./-L.out');
  });
});
