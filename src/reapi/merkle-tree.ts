import { digestKey, digestOfBuffer, type Digest } from '../cas/digest.js';
import type { InputFile, InputTree } from '../cas/input-tree.js';
import type { Directory } from './messages.js';
import { encodeCanonical, REAPI } from './protos.js';

// An input tree as REAPI's Merkle tree: one canonical Directory message per folder, each naming
// its children by digest, so the root digest identifies the whole tree and an unchanged subtree
// keeps its digest. Canonical form: names sorted by UTF-8 bytes (not JavaScript's UTF-16 order),
// no default-valued fields.
//
// API: byUtf8, MerkleTree, merkleTree(inputTree).

/** Orders strings by code point, as REAPI requires, equivalently by their UTF-8 bytes. */
export function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export interface MerkleTree {
  readonly root: Digest;
  /** Every blob of the tree by digestKey: encoded Directory messages and input files. */
  readonly blobs: Map<
    string,
    { digest: Digest; data: Buffer } | { digest: Digest; file: InputFile }
  >;
}

export function merkleTree(tree: InputTree): MerkleTree {
  const blobs: MerkleTree['blobs'] = new Map();
  const encode = (folder: InputTree): Digest => {
    const files = [...folder.files]
      .sort(([a], [b]) => byUtf8(a, b))
      .map(([name, file]) => {
        blobs.set(digestKey(file.digest), { digest: file.digest, file });
        return { name, digest: file.digest, isExecutable: file.isExecutable };
      });
    const directories = [...folder.directories]
      .sort(([a], [b]) => byUtf8(a, b))
      .map(([name, sub]) => ({ name, digest: encode(sub) }));
    const message: Directory = { files, directories, symlinks: [] };
    const data = encodeCanonical(`${REAPI}.Directory`, message);
    const digest = digestOfBuffer(data);
    blobs.set(digestKey(digest), { digest, data });
    return digest;
  };
  return { root: encode(tree), blobs };
}
