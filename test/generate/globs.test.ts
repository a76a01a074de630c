import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LOCAL, makeProject, ninja, remoteGen, type Run } from '../helpers/cli.js';

const HEADER =
  "import { EnvironmentRemote } from 'scons-remote';\nconst env = new EnvironmentRemote();\n";

function built(run: Run): Run {
  assert.equal(run.status, 0, run.stdout + run.stderr);
  return run;
}

describe('remote-gen source globs', () => {
  it('are evaluated again when a matching file is added or removed, through ninja', () => {
    const dir = makeProject({
      'build.remote.ts': `${HEADER}env.command({ target: 'all.txt', source: 'data/*.txt', action: 'cat $SOURCES > $TARGET' });\n`,
      'data/a.txt': 'a\n',
      'data/b.txt': 'b\n',
    });
    built(remoteGen(dir));
    built(ninja(dir, [], LOCAL));
    assert.equal(readFileSync(join(dir, 'all.txt'), 'utf8'), 'a\nb\n');

    writeFileSync(join(dir, 'data/d.txt'), 'd\n');
    assert.match(built(ninja(dir, [], LOCAL)).stdout, /regenerating build\.ninja/);
    assert.equal(readFileSync(join(dir, 'all.txt'), 'utf8'), 'a\nb\nd\n');

    rmSync(join(dir, 'data/a.txt'));
    assert.match(built(ninja(dir, [], LOCAL)).stdout, /regenerating build\.ninja/);
    assert.equal(readFileSync(join(dir, 'all.txt'), 'utf8'), 'b\nd\n');

    writeFileSync(join(dir, 'data/notes.md'), 'not matched\n');
    const unrelated = built(ninja(dir, [], LOCAL));
    assert.doesNotMatch(unrelated.stdout, /regenerating/);
    assert.match(unrelated.stdout, /no work to do/);
  });

  it('that descend into subfolders see a matching file in a new subfolder, and an alias may share a folder name', () => {
    const dir = makeProject({
      'build.remote.ts': `${HEADER}env.command({ target: 'list.txt', source: 'src/**/*.c', action: 'echo $SOURCES > $TARGET' });
env.alias('src', 'list.txt');
`,
      'src/a.c': '',
    });
    built(remoteGen(dir));
    built(ninja(dir, [], LOCAL));
    assert.equal(readFileSync(join(dir, 'list.txt'), 'utf8'), 'src/a.c\n');
    mkdirSync(join(dir, 'src/sub'));
    writeFileSync(join(dir, 'src/sub/b.c'), '');
    assert.match(built(ninja(dir, ['src'], LOCAL)).stdout, /regenerating build\.ninja/);
    assert.equal(readFileSync(join(dir, 'list.txt'), 'utf8'), 'src/a.c src/sub/b.c\n');
  });

  it('do not regenerate build.ninja when a step writes its target into a folder a glob reads', () => {
    const dir = makeProject({
      'build.remote.ts': `${HEADER}env.command({ target: 'parts/c.txt', action: 'echo c > $TARGET' });
env.command({ target: 'all.txt', source: 'parts/*.txt', action: 'cat $SOURCES > $TARGET' });
`,
      'parts/a.txt': 'a\n',
    });
    built(remoteGen(dir));
    built(ninja(dir, [], LOCAL));
    assert.equal(readFileSync(join(dir, 'all.txt'), 'utf8'), 'a\nc\n');
    const again = built(ninja(dir, [], LOCAL));
    assert.doesNotMatch(again.stdout, /regenerating/);
    assert.match(again.stdout, /no work to do/);
  });

  it('take a path that exists as written literally, even if it looks like a glob', () => {
    const dir = makeProject({
      'build.remote.ts': `${HEADER}env.command({ target: 'out.txt', source: 'g[1].txt', action: 'cat $SOURCES > $TARGET' });\n`,
      'g[1].txt': 'literal\n',
      'g1.txt': 'matched by the glob\n',
    });
    built(remoteGen(dir));
    built(ninja(dir, [], LOCAL));
    assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'literal\n');
  });

  it('work over 5,000 files, one glob per file', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 5000; i++) files[`data/f${i}.txt`] = `${i}\n`;
    const dir = makeProject({
      ...files,
      'build.remote.ts': `import { readdirSync } from 'node:fs';
${HEADER}for (const name of readdirSync('data')) {
  env.command({ target: \`out/\${name}\`, source: \`data/\${name.replace('.txt', '.*')}\`, action: 'cp $SOURCE $TARGET' });
}
env.command({ target: 'count.txt', source: 'out/*.txt', action: 'ls out | wc -l > $TARGET' });
`,
    });
    built(remoteGen(dir));
    const query = built(ninja(dir, ['-t', 'query', 'count.txt']));
    assert.equal(query.stdout.match(/^ {4}out\/f\d+\.txt$/gm)?.length, 5000);
    assert.match(
      built(ninja(dir, ['-t', 'query', 'out/f42.txt'])).stdout,
      /input: local\n {4}data\/f42\.txt\n/,
    );
  });
});
