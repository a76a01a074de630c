import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { makeProject, remoteGen } from '../helpers/cli.js';

const SHIPPED = fileURLToPath(new URL('../../src/api/connection-types.d.ts', import.meta.url));

const HEADER = `import { EnvironmentRemote } from 'scons-remote';
const env = new EnvironmentRemote();
`;
const CLIENT = "{ region: 'us-west-2' }";
const INSTANCE = "{ ImageId: 'ami-1', MinCount: 1, MaxCount: 1 }";
const SSH = "{ username: 'ubuntu' }";
const connect = (client: string, instance: string, ssh: string): string =>
  `env.connectionInitialize(${client}, ${instance}, ${ssh});\n`;

/** Each case: the connection line (line 3), and the error remote-gen printed with the SDK's own types. */
const CASES: Record<string, [string, RegExp]> = {
  'a misspelled clientArgs key': [
    connect("{ regoin: 'us-west-2' }", INSTANCE, SSH),
    /build\.remote\.ts:3:28: error TS2561: .* but 'regoin' does not exist in type 'EC2ClientConfigType'\. Did you mean to write 'region'\?$/,
  ],
  'a misspelled instanceArgs key': [
    connect(CLIENT, "{ ImageID: 'ami-1', MinCount: 1, MaxCount: 1 }", SSH),
    /build\.remote\.ts:3:53: error TS2561: .* but 'ImageID' does not exist in type 'RunInstancesCommandInput'\. Did you mean to write 'ImageId'\?$/,
  ],
  'a misspelled instance type': [
    connect(CLIENT, "{ ImageId: 'ami-1', InstanceType: 't2.lrge', MinCount: 1, MaxCount: 1 }", SSH),
    /build\.remote\.ts:3:71: error TS2820: Type '"t2\.lrge"' is not assignable to type '_InstanceType \| undefined'\. Did you mean '"t2\.large"'\?$/,
  ],
  'a misspelled sshArgs key': [
    connect(CLIENT, INSTANCE, "{ usename: 'ubuntu' }"),
    /build\.remote\.ts:3:101: error TS2561: .* but 'usename' does not exist in type 'SshArgs'\. Did you mean to write 'username'\?$/,
  ],
  'a string for an ssh port': [
    connect(CLIENT, INSTANCE, "{ username: 'ubuntu', port: '22' }"),
    /build\.remote\.ts:3:121: error TS2322: Type 'string' is not assignable to type 'number'\.$/,
  ],
};

describe('the connection types remote-gen checks against', () => {
  for (const [name, [line, expected]] of Object.entries(CASES)) {
    it(`report ${name} as the SDK's own types do`, () => {
      const gen = remoteGen(makeProject({ 'build.remote.ts': HEADER + line }));
      assert.equal(gen.status, 1);
      assert.match(gen.stderr.trimEnd(), expected);
    });
  }

  it('are a copy of the SDK and ssh2 types that needs neither package', () => {
    const text = readFileSync(SHIPPED, 'utf8');
    assert.doesNotMatch(text, /from '(@aws-sdk|@smithy|ssh2)/);
    assert.ok(text.length < 500_000, `${text.length} characters`);
  });

  it('accept and refuse the same values as the SDK and ssh2 types, field by field', () => {
    const pairs = [
      ['EC2ClientConfig', "import('@aws-sdk/client-ec2').EC2ClientConfig"],
      ['RunInstancesCommandInput', "import('@aws-sdk/client-ec2').RunInstancesCommandInput"],
      ['ConnectConfig', "import('ssh2').ConnectConfig"],
    ] as const;
    // Middleware objects, which a description cannot pass (connection arguments are saved as JSON) and
    // whose recursive types TypeScript cannot compare between two copies.
    const incomparable = ['protocol', 'extensions', 'httpAuthSchemeProvider'];
    const entry = fileURLToPath(new URL('./connection-types-compare.ts', import.meta.url));
    let source = `import type * as Copy from '${SHIPPED.replace(/\.d\.ts$/, '.js')}';\n`;
    const program = (text: string): ts.Program => {
      const host = ts.createCompilerHost({});
      const options: ts.CompilerOptions = {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        types: ['node'],
      };
      const read = host.getSourceFile.bind(host);
      host.getSourceFile = (file, language, ...rest) =>
        file === entry ? ts.createSourceFile(file, text, language) : read(file, language, ...rest);
      return ts.createProgram({ rootNames: [entry], options, host });
    };
    // One program for every type's field names, one for comparing every field.
    const types = pairs.flatMap(([copy, original]) => [`Copy.${copy}`, original]);
    const probes = program(
      source + types.map((t, i) => `export declare const p${i}: ${t};\n`).join(''),
    );
    const checker = probes.getTypeChecker();
    const probeStatements = probes.getSourceFile(entry)!.statements.slice(1);
    const fields = probeStatements.map((statement) => {
      const probe = (statement as ts.VariableStatement).declarationList.declarations[0]!;
      return checker
        .getTypeAtLocation(probe)
        .getProperties()
        .map((property) => property.name);
    });
    pairs.forEach(([copy, original], i) => {
      const names = fields[2 * i + 1]!;
      assert.deepEqual([...fields[2 * i]!].sort(), [...names].sort(), copy);
      for (const name of names.filter((key) => !incomparable.includes(key))) {
        const [a, b] = [`Copy.${copy}['${name}']`, `${original}['${name}']`];
        source += `export const ${copy}_${name}: [${a}, ${b}] = [null! as ${b}, null! as ${a}];\n`;
      }
    });
    const diagnostics = ts.getPreEmitDiagnostics(program(source));
    const messages = diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(messages, []);
  });
});
