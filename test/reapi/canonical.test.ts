import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestOfBuffer, type Digest } from '../../src/cas/digest.js';
import type { InputTree } from '../../src/cas/input-tree.js';
import { actionBlobs } from '../../src/reapi/action-blobs.js';
import { merkleTree } from '../../src/reapi/merkle-tree.js';
import type { Action, Command, Directory } from '../../src/reapi/messages.js';
import { decodeMessage, REAPI } from '../../src/reapi/protos.js';

// The bytes digests are taken over, checked against protobuf's wire format written out by hand
// (field number << 3 | wire type, varint lengths), independently of the encoder under test.

function varint(value: number): Buffer {
  const bytes: number[] = [];
  do {
    bytes.push((value & 0x7f) | (value >= 0x80 ? 0x80 : 0));
    value = Math.floor(value / 128);
  } while (value > 0);
  return Buffer.from(bytes);
}

function field(number: number, content: Buffer): Buffer {
  return Buffer.concat([varint((number << 3) | 2), varint(content.length), content]);
}

function digestBytes(digest: Digest): Buffer {
  const size = digest.sizeBytes ? [varint(2 << 3), varint(digest.sizeBytes)] : [];
  return Buffer.concat([field(1, Buffer.from(digest.hash)), ...size]);
}

function file(content: string, isExecutable = false) {
  return { digest: digestOfBuffer(Buffer.from(content)), isExecutable, source: '/dev/null' };
}

function tree(
  files: Record<string, ReturnType<typeof file>>,
  dirs: Record<string, InputTree> = {},
) {
  return { files: new Map(Object.entries(files)), directories: new Map(Object.entries(dirs)) };
}

function blob(merkle: ReturnType<typeof merkleTree>, digest: Digest): Buffer {
  const found = merkle.blobs.get(`${digest.hash}/${digest.sizeBytes}`);
  assert.ok(found && 'data' in found);
  return found.data;
}

describe('canonical encoding', () => {
  it('gives an empty folder the digest of no bytes', () => {
    const merkle = merkleTree(tree({}));
    assert.deepEqual(merkle.root, digestOfBuffer(Buffer.alloc(0)));
  });

  it('writes Directory fields in field order, defaults left out, as the wire format says', () => {
    const bar = file('bar content');
    const baz = file('#!/bin/sh\n', true);
    const merkle = merkleTree(tree({ bar }, { foo: tree({ baz }) }));
    const fooBytes = field(
      1,
      Buffer.concat([
        field(1, Buffer.from('baz')),
        field(2, digestBytes(baz.digest)),
        Buffer.from([4 << 3, 1]), // is_executable = true
      ]),
    );
    const fooDigest = digestOfBuffer(fooBytes);
    const rootBytes = Buffer.concat([
      field(1, Buffer.concat([field(1, Buffer.from('bar')), field(2, digestBytes(bar.digest))])),
      field(2, Buffer.concat([field(1, Buffer.from('foo')), field(2, digestBytes(fooDigest))])),
    ]);
    assert.deepEqual(blob(merkle, fooDigest), fooBytes);
    assert.deepEqual(blob(merkle, merkle.root), rootBytes);
    assert.deepEqual(merkle.root, digestOfBuffer(rootBytes));
  });

  it('sorts names by code point, not by JavaScript UTF-16 order', () => {
    const names = ['b', '\u{1F600}', 'a', '\uFF5E'];
    const merkle = merkleTree(tree(Object.fromEntries(names.map((n) => [n, file(n)]))));
    const root = decodeMessage<Directory>(`${REAPI}.Directory`, blob(merkle, merkle.root));
    assert.deepEqual(
      root.files.map((f) => f.name),
      ['a', 'b', '\uFF5E', '\u{1F600}'],
    );
  });

  it('gives one step one Command and Action, whatever the order of its settings', () => {
    const inputRoot = digestOfBuffer(Buffer.alloc(0));
    const step = (environment: Record<string, string>, outputs: string[]) => ({
      baseDir: '/nonexistent',
      workDir: 'sub dir',
      command: 'make all',
      outputs,
      environment,
      timeoutSeconds: 60,
    });
    const a = actionBlobs(step({ B: '2', A: '1' }, ['z', 'a', 'z']), inputRoot, {
      outputPaths: true,
    });
    const b = actionBlobs(step({ A: '1', B: '2' }, ['a', 'z']), inputRoot, { outputPaths: true });
    assert.deepEqual(a.action, b.action);
    const command = decodeMessage<Command>(`${REAPI}.Command`, a.blobs[0]!.data);
    assert.deepEqual(command.arguments, ['/bin/sh', '-c', "cd 'sub dir' && make all"]);
    assert.deepEqual(
      command.environmentVariables.map((v) => v.name),
      ['A', 'B'],
    );
    assert.deepEqual([command.outputPaths, command.outputFiles], [['a', 'z'], []]);
    assert.equal(command.platform, null, 'an empty platform is left out');
    const action = decodeMessage<Action>(`${REAPI}.Action`, a.blobs[1]!.data);
    assert.deepEqual(action.commandDigest, a.blobs[0]!.digest);
    assert.deepEqual(action.timeout, { seconds: 60, nanos: 0 });
  });
});
