import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeProject, remoteGen } from '../helpers/cli.js';

const HEADER = `import { EnvironmentRemote } from 'scons-remote';
const env = new EnvironmentRemote();
`;
const CONNECT = `env.connectionInitialize({ region: 'us-west-2' }, { ImageId: 'ami-1', MinCount: 1, MaxCount: 1 }, { username: 'ubuntu', privateKeyPath: 'key.pem' });
`;
// Lines 3 to 6, which TypeScript drops when it compiles the description to JavaScript.
const TYPES = 'interface Step {\n  name: string;\n}\ntype Name = string;\n';
const PREVIOUS = '# the previous build.ninja\n';

/** Each case: description body (after HEADER, at line 3), and what the one-line error must say. */
const CASES: Record<string, [string, RegExp]> = {
  'a TypeScript syntax error': [
    'env.command({ target: "a", action: "x" );\n',
    /^remote-gen: error: build\.remote\.ts:3:\d+: error TS\d+: '?[,)]'? expected/,
  ],
  'a type error': [
    'env.command({ target: 42, action: "x" });\n',
    /^remote-gen: error: build\.remote\.ts:3:\d+: error TS2322: Type 'number' is not assignable/,
  ],
  'a missing action': [
    'env.command({ target: "a" } as never);\n',
    /^remote-gen: error: build\.remote\.ts:3: command for 'a' is missing 'action'$/,
  ],
  'a string action given to commandRemote': [
    `${CONNECT}env.commandRemote({ target: "a", action: "echo" } as never);\n`,
    /^remote-gen: error: build\.remote\.ts:4: commandRemote for 'a' needs env\.actionRemote/,
  ],
  'an actionRemote given to command': [
    'env.command({ target: "a", action: env.actionRemote({ cmd: "x" }) } as never);\n',
    /^remote-gen: error: build\.remote\.ts:3: command for 'a' was given an actionRemote; use commandRemote/,
  ],
  'commandRemote before connectionInitialize': [
    'env.commandRemote({ target: "a", action: env.actionRemote({ cmd: "x" }) });\n',
    /^remote-gen: error: build\.remote\.ts:3: commandRemote for 'a' before env\.connectionInitialize/,
  ],
  'a target declared twice': [
    'env.command({ target: "a", action: "x" });\nenv.command({ target: "a", action: "y" });\n',
    /^remote-gen: error: build\.remote\.ts:4: target 'a' is declared twice \(first at build\.remote\.ts:3\)$/,
  ],
  'a source nobody builds': [
    'env.command({ target: "a", source: "nope.txt", action: "x" });\n',
    /^remote-gen: error: build\.remote\.ts:3: source 'nope\.txt' of 'a' does not exist and no step builds it$/,
  ],
  'a dependency cycle': [
    'env.command({ target: "a", source: "b", action: "x" });\nenv.command({ target: "b", source: "a", action: "x" });\n',
    /^remote-gen: error: build\.remote\.ts:3: dependency cycle: a -> b -> a$/,
  ],
  'a target outside the folder': [
    'env.command({ target: "../a", action: "x" });\n',
    /^remote-gen: error: build\.remote\.ts:3: target '\.\.\/a' is outside the description's folder/,
  ],
  'an absolute source': [
    'env.command({ target: "a", source: "/etc/passwd", action: "x" });\n',
    /^remote-gen: error: build\.remote\.ts:3: source '\/etc\/passwd' is outside the description's folder/,
  ],
  'a missing private key file': [
    CONNECT.replace('key.pem', 'missing.pem'),
    /^remote-gen: error: build\.remote\.ts:3: sshArgs\.privateKeyPath 'missing\.pem' does not exist$/,
  ],
  'an unknown option key': [
    'env.command({ target: "a", action: "x", sorce: "b" } as never);\n',
    /^remote-gen: error: build\.remote\.ts:3: command: unknown option 'sorce' \(did you mean 'source'\?\)$/,
  ],
  'an unknown actionRemote key': [
    'env.actionRemote({ cmd: "x", cmd_args: [] } as never);\n',
    /^remote-gen: error: build\.remote\.ts:3: actionRemote: unknown option 'cmd_args' \(did you mean 'cmdArgs'\?\)$/,
  ],
  'credentials in clientArgs': [
    CONNECT.replace(
      "{ region: 'us-west-2' }",
      "{ region: 'us-west-2', credentials: { accessKeyId: 'A', secretAccessKey: 'B' } }",
    ),
    /^remote-gen: error: build\.remote\.ts:3: clientArgs\.credentials would be written to disk/,
  ],
  'a missing source after type-only lines': [
    `${TYPES}env.command({ target: "a" as Name, source: "nope.txt", action: "x" });\n`,
    /^remote-gen: error: build\.remote\.ts:7: source 'nope\.txt' of 'a' does not exist/,
  ],
  'a cycle after type-only lines': [
    `${TYPES}env.command({ target: "a", source: "b", action: "x" });\nenv.command({ target: "b", source: "a", action: "x" });\n`,
    /^remote-gen: error: build\.remote\.ts:7: dependency cycle: a -> b -> a$/,
  ],
  'a runtime exception after type-only lines': [
    `${TYPES}const names: Name[] = [];\nnames[0]!.toUpperCase();\n`,
    /^remote-gen: error: build\.remote\.ts:8: TypeError: Cannot read properties of undefined/,
  ],
  'a target inside a remote target folder': [
    `${CONNECT}env.commandRemote({ target: "od", action: env.actionRemote({ cmd: "mkdir" }) });\nenv.command({ target: "od/a", action: "x" });\n`,
    /^remote-gen: error: build\.remote\.ts:5: target 'od\/a' is inside 'od', the target of the step at build\.remote\.ts:4; a step's target folder belongs to that step alone$/,
  ],
  'a source inside a target folder': [
    'env.command({ target: "od", action: "x" });\nenv.command({ target: "b", source: "od/a", action: "x" });\n',
    /^remote-gen: error: build\.remote\.ts:4: source 'od\/a' of 'b' is inside 'od', the target of the step at build\.remote\.ts:3; use 'od' as the source$/,
  ],
  'a tab in a target': [
    'env.command({ target: "a\\tb", action: "x" });\n',
    /^remote-gen: error: build\.remote\.ts:3: target "a\\tb" contains a tab, which ninja's build log cannot record \(the step would rebuild every time\)$/,
  ],
  'a runtime exception': [
    'const list: string[] = [];\nlist[0]!.toUpperCase();\n',
    /^remote-gen: error: build\.remote\.ts:4: TypeError: Cannot read properties of undefined/,
  ],
};

describe('remote-gen on bad input', () => {
  for (const [name, [body, expected]] of Object.entries(CASES)) {
    it(`reports ${name} in one line, exits non-zero and leaves the previous build.ninja`, () => {
      const dir = makeProject({
        'build.remote.ts': HEADER + body,
        'key.pem': 'not a key',
        'build.ninja': PREVIOUS,
      });
      const gen = remoteGen(dir);
      assert.equal(gen.status, 1);
      assert.match(gen.stderr.trimEnd(), expected);
      assert.equal(gen.stderr.trimEnd().split('\n').length, 1, gen.stderr);
      assert.equal(readFileSync(join(dir, 'build.ninja'), 'utf8'), PREVIOUS);
      assert.ok(!existsSync(join(dir, '.scons-remote/profiles')));
    });
  }

  it('names a missing description file', () => {
    const gen = remoteGen(makeProject({}), ['-f', 'nothere.remote.ts']);
    assert.equal(gen.status, 1);
    assert.equal(gen.stderr, 'remote-gen: error: nothere.remote.ts: no such build description\n');
  });

  it('names an unknown command-line option', () => {
    const gen = remoteGen(makeProject({}), ['--bogus']);
    assert.equal(gen.status, 1);
    assert.match(gen.stderr, /^remote-gen: error: Unknown argument: bogus/);
  });
});
