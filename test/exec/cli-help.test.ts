import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { STEP_CLIENT, run, tempDir } from '../helpers/cli.js';

const remoteExec = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(STEP_CLIENT, args, tempDir(), env);
const packageJson = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8'),
) as { version: string };
const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('remote-exec command line', () => {
  it('answers --version and -h', () => {
    const version = remoteExec(['--version']);
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout, `${packageJson.version}\n`);
    const help = remoteExec(['-h']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^remote-exec \[--profile ID \| --config remote\.json\]/);
  });

  it('suggests the command meant by a typo', () => {
    const typo = remoteExec(['stauts']);
    assert.equal(typo.status, 255);
    assert.equal(
      typo.stderr,
      "remote-exec: error: unknown command 'stauts': did you mean 'status'? (see remote-exec --help)\n",
    );
  });

  it('wraps help between words, at any terminal width', () => {
    const phrases = [
      'Runs one build step on the EC2 instance of a connection profile (launched once, then reused)',
      'remote-exec up | status | down',
      'State folder (default: .scons-remote beside build.ninja or remote.json)',
    ];
    for (const args of [['--help'], ['up', '--help'], ['down', '--help'], ['cloud', '--help']]) {
      const words = (columns: string) =>
        flat(remoteExec(args, { COLUMNS: columns }).stdout)
          .trim()
          .split(' ');
      const wide = words('200');
      for (const columns of ['40', '80'])
        assert.deepEqual(words(columns), wide, `${args.join(' ')} at ${columns} columns`);
      for (const phrase of phrases)
        if (args[0] === '--help') assert.ok(wide.join(' ').includes(phrase), phrase);
      const long = remoteExec(args)
        .stdout.split('\n')
        .filter((line) => line.length > 100);
      assert.deepEqual(long, [], 'lines fit in 100 columns');
    }
  });

  it('keeps internal flags out of the help', () => {
    const help = remoteExec(['up', '--help']);
    assert.doesNotMatch(help.stdout, /--stamp/);
  });
});
