import { mkdir } from 'node:fs/promises';
import { digestKey, digestOfBuffer, type Digest } from '../cas/digest.js';
import { projectPath } from '../transport/project-path.js';
import { extractInto } from '../transport/safe-extract.js';
import { ArchiveError, type TarHeader } from '../transport/tar-header.js';
import { UserError } from '../util/user-error.js';
import type { EngineCapabilities } from './capabilities.js';
import type { Engine } from './engine.js';
import type { ActionResult, Directory, Tree } from './messages.js';
import { decodeMessage, encodeCanonical, REAPI } from './protos.js';
import { fitsBatch, readSmallBlobs, streamBlob } from './read-blobs.js';

// An action's outputs, written into a scratch folder standing for the project. They go through
// the same gate as outputs from an instance (src/transport/safe-extract): only declared paths,
// only files, folders and links staying inside the project, local owner, umask modes with the
// executable bit, local time; the caller then renames them into place (placeOutputs).
//
// API: fetchOutputs(engine, capabilities, result, scratchDir, declared) → missing outputs.

type Entry = TarHeader & { digest?: Digest; contents?: Buffer };

function fileEntry(path: string, digest: Digest, isExecutable: boolean): Entry {
  const mode = isExecutable ? 0o755 : 0o644;
  return {
    name: path,
    kind: 'file',
    typeFlag: '0',
    mode,
    size: digest.sizeBytes,
    linkName: '',
    digest,
  };
}

function folderEntry(path: string): Entry {
  return { name: path, kind: 'directory', typeFlag: '5', mode: 0o755, size: 0, linkName: '' };
}

function linkEntry(path: string, target: string): Entry {
  return { name: path, kind: 'symlink', typeFlag: '2', mode: 0o777, size: 0, linkName: target };
}

function checkName(engine: Engine, name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/')) {
    throw new UserError(
      `remote execution: engine ${engine.endpoint} sent an output tree with the name '${name}'`,
    );
  }
  return name;
}

/** The entries of an output folder from its Tree message: the folder, then what it holds. */
function treeEntries(engine: Engine, path: string, tree: Tree): Entry[] {
  const children = new Map<string, Directory>();
  for (const child of tree.children) {
    children.set(digestKey(digestOfBuffer(encodeCanonical(`${REAPI}.Directory`, child))), child);
  }
  const entries: Entry[] = [];
  const walk = (folder: Directory, at: string, depth: number) => {
    if (depth > 1000) throw new UserError(`remote execution: output tree '${path}' is too deep`);
    entries.push(folderEntry(at));
    for (const file of folder.files) {
      entries.push(
        fileEntry(`${at}/${checkName(engine, file.name)}`, file.digest, file.isExecutable),
      );
    }
    for (const link of folder.symlinks) {
      entries.push(linkEntry(`${at}/${checkName(engine, link.name)}`, link.target));
    }
    for (const sub of folder.directories) {
      const child = children.get(digestKey(sub.digest));
      if (!child) {
        throw new UserError(
          `remote execution: output tree '${path}' lacks folder '${at}/${sub.name}'`,
        );
      }
      walk(child, `${at}/${checkName(engine, sub.name)}`, depth + 1);
    }
  };
  walk(tree.root ?? { files: [], directories: [], symlinks: [] }, path, 0);
  return entries;
}

async function resultEntries(
  engine: Engine,
  capabilities: EngineCapabilities,
  result: ActionResult,
): Promise<Entry[]> {
  const entries: Entry[] = result.outputFiles.map((file) => {
    const inline = file.contents.length > 0 ? file.contents : undefined;
    if (inline && digestKey(digestOfBuffer(inline)) !== digestKey(file.digest)) {
      throw new UserError(
        `remote execution: engine ${engine.endpoint} sent output '${file.path}' with other content`,
      );
    }
    return { ...fileEntry(file.path, file.digest, file.isExecutable), contents: inline };
  });
  // Engines of 2.1 list every link in output_symlinks and may repeat them in the older lists.
  const links = new Map<string, string>();
  for (const link of [
    ...result.outputFileSymlinks,
    ...result.outputDirectorySymlinks,
    ...result.outputSymlinks,
  ]) {
    links.set(link.path, link.target);
  }
  for (const [path, target] of links) entries.push(linkEntry(path, target));
  const treeDigests = result.outputDirectories.map((folder) => folder.treeDigest);
  const small = await readSmallBlobs(
    engine,
    capabilities,
    treeDigests.filter((d) => fitsBatch(capabilities, d)),
  );
  for (const folder of result.outputDirectories) {
    let data = small.get(digestKey(folder.treeDigest));
    if (!data) {
      const chunks: Buffer[] = [];
      for await (const chunk of streamBlob(engine, folder.treeDigest)) chunks.push(chunk);
      data = Buffer.concat(chunks);
    }
    entries.push(...treeEntries(engine, folder.path, decodeMessage<Tree>(`${REAPI}.Tree`, data)));
  }
  return entries;
}

/**
 * Writes the outputs of `result` under `scratchDir`; returns the declared outputs it did not
 * hold. Throws MissingBlob when the CAS lost some of them.
 */
export async function fetchOutputs(
  engine: Engine,
  capabilities: EngineCapabilities,
  result: ActionResult,
  scratchDir: string,
  declared: readonly string[],
): Promise<string[]> {
  const entries = (await resultEntries(engine, capabilities, result)).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const smallFiles = entries.flatMap((entry) =>
    entry.digest && !entry.contents && fitsBatch(capabilities, entry.digest) ? [entry.digest] : [],
  );
  const contents = await readSmallBlobs(engine, capabilities, smallFiles);
  await mkdir(scratchDir, { recursive: true });
  // Spelt as the Command spelt them, so that the engine's paths compare equal.
  const outputs = declared.flatMap((output) => projectPath(output) ?? []);
  const place = extractInto(scratchDir, outputs);
  try {
    for (const entry of entries) {
      const body = await place(entry);
      if (!body || !entry.digest) continue;
      try {
        const known = entry.contents ?? contents.get(digestKey(entry.digest));
        if (known) await body.write(known);
        else for await (const chunk of streamBlob(engine, entry.digest)) await body.write(chunk);
      } finally {
        await body.close();
      }
    }
  } catch (error) {
    if (error instanceof ArchiveError) {
      throw new UserError(`remote execution: output from ${engine.endpoint} ${error.message}`);
    }
    throw error;
  }
  const got = new Set(entries.map((entry) => entry.name));
  return declared.filter((output) => !got.has(projectPath(output) ?? output));
}
