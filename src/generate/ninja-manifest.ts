// The one place that writes ninja syntax. ninja-build-gen writes rules and edges, but it has no pool
// declarations, no implicit outputs, writes top-level variables after the edges, and takes a single
// default; this wrapper fills those gaps on top of it. It costs a 10,000-step build ~0.17 s of the
// ~2.5 s remote-gen takes (measured), which keeps that build within twice a one-step build's time.
import { createRequire } from 'node:module';
import type ninjaBuildGenApi from 'ninja-build-gen';
import type { Location } from '../describe/declarations.js';
import { UserError } from '../util/user-error.js';

const require = createRequire(import.meta.url);
const plainStacks = Error.prepareStackTrace;
const ninjaBuildGen = require('ninja-build-gen') as typeof ninjaBuildGenApi;
// Loading it installs source-map-support's stack rewriting, which made the 10,000-step description
// (a stack per declaration, for messages naming its line) take ~0.4 s longer; lines are mapped here.
Error.prepareStackTrace = plainStacks;

export interface Pool {
  name: string;
  depth: number;
}

export interface Rule {
  name: string;
  command: string;
  description?: string;
  generator?: boolean;
  /** ninja compares the output's mtime after the command, so an untouched output leaves its dependents clean. */
  restat?: boolean;
  pool?: string;
}

export interface Edge {
  rule: string;
  outputs: string[];
  implicitOutputs?: string[];
  inputs?: string[];
  implicitInputs?: string[];
  orderOnlyInputs?: string[];
  /** Edge-scoped bindings, e.g. `cmd`, `desc`. */
  variables?: Record<string, string>;
  pool?: string;
}

export interface Manifest {
  comment: string;
  pools: Pool[];
  rules: Rule[];
  /** Written as they come, so that a large build never holds all of its edges as objects. */
  edges: Iterable<Edge>;
  defaults: string[];
}

/** A path as ninja reads it in build and default lines (spaces, colons and `$` escaped). */
export const ninjaPath: (path: string) => string = ninjaBuildGen.escape;

/** A variable value as ninja reads it: only `$` is special, and a value must stay on one line. */
export function ninjaValue(text: string, owner: Location): string {
  if (/[\r\n]/.test(text))
    throw new UserError(
      `${owner}: command contains a line break, which ninja cannot express; join the lines with ';' or '&&'`,
    );
  return text.includes('$') ? text.replace(/\$/g, '$$$$') : text;
}

function writeEdge(builder: ReturnType<typeof ninjaBuildGen>, edge: Edge): void {
  const implicitOutputs = edge.implicitOutputs?.length
    ? ['|', ...edge.implicitOutputs.map(ninjaPath)]
    : [];
  const line = builder.edge([...edge.outputs.map(ninjaPath), ...implicitOutputs]).using(edge.rule);
  if (edge.inputs?.length) line.from(edge.inputs.map(ninjaPath));
  if (edge.implicitInputs?.length) line.need(edge.implicitInputs.map(ninjaPath));
  if (edge.orderOnlyInputs?.length) line.after(edge.orderOnlyInputs.map(ninjaPath));
  for (const [name, value] of Object.entries(edge.variables ?? {})) line.assign(name, value);
  if (edge.pool) line.pool(edge.pool);
}

export function renderManifest(manifest: Manifest): string {
  const header = [
    ...manifest.comment.split('\n').map((line) => `# ${line}`),
    '',
    'ninja_required_version = 1.10',
    ...manifest.pools.flatMap((pool) => ['', `pool ${pool.name}`, `  depth = ${pool.depth}`]),
  ];
  const builder = ninjaBuildGen().header(header.join('\n'));
  for (const rule of manifest.rules) {
    const entry = builder.rule(rule.name).run(rule.command);
    if (rule.description) entry.description(rule.description);
    if (rule.generator) entry.generator(true);
    if (rule.restat) entry.restat(true);
    if (rule.pool) entry.pool(rule.pool);
  }
  for (const edge of manifest.edges) writeEdge(builder, edge);
  if (manifest.defaults.length > 0) builder.byDefault(manifest.defaults.map(ninjaPath).join(' '));
  const chunks: string[] = [];
  builder.saveToStream({ write: (text: string) => chunks.push(text) });
  return chunks.join('');
}
