// The one place that writes ninja syntax. Written here rather than through a generator package:
// a description of 10,000 steps spent a fifth of remote-gen's time in one (a builder object per edge,
// a chunk per line, and source-map-support's stack rewriting installed as it loaded), against
// one string per edge here.
import type { Location } from '../describe/declarations.js';
import { UserError } from '../util/user-error.js';

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
  /** Rendered as they come, so that a large build never holds all of its edges as objects. */
  edges: Iterable<Edge>;
  defaults: string[];
}

const PATH_SPECIAL = /[ :$]/g;
const EDGES_PER_CHUNK = 256;

/** A path as ninja reads it in build and default lines (spaces, colons and `$` escaped). */
export function ninjaPath(path: string): string {
  PATH_SPECIAL.lastIndex = 0;
  return PATH_SPECIAL.test(path) ? path.replace(PATH_SPECIAL, '$$$&') : path;
}

/** A variable value as ninja reads it: only `$` is special, and a value must stay on one line. */
export function ninjaValue(text: string, owner: Location): string {
  if (/[\r\n]/.test(text))
    throw new UserError(
      `${owner}: command contains a line break, which ninja cannot express; join the lines with ';' or '&&'`,
    );
  return text.includes('$') ? text.replace(/\$/g, '$$$$') : text;
}

function pathList(paths: readonly string[]): string {
  return paths.length === 1 ? ninjaPath(paths[0]!) : paths.map(ninjaPath).join(' ');
}

function ruleText(rule: Rule): string {
  let text = `rule ${rule.name}\n  command = ${rule.command}\n`;
  if (rule.description) text += `  description = ${rule.description}\n`;
  if (rule.restat) text += '  restat = 1\n';
  if (rule.generator) text += '  generator = 1\n';
  if (rule.pool) text += `  pool = ${rule.pool}\n`;
  return text;
}

function edgeText(edge: Edge): string {
  let text = `build ${pathList(edge.outputs)}`;
  if (edge.implicitOutputs?.length) text += ` | ${pathList(edge.implicitOutputs)}`;
  text += `: ${edge.rule}`;
  if (edge.inputs?.length) text += ` ${pathList(edge.inputs)}`;
  if (edge.implicitInputs?.length) text += ` | ${pathList(edge.implicitInputs)}`;
  if (edge.orderOnlyInputs?.length) text += ` || ${pathList(edge.orderOnlyInputs)}`;
  for (const name in edge.variables) text += `\n  ${name} = ${edge.variables[name]}`;
  text += '\n';
  if (edge.pool) text += `  pool = ${edge.pool}\n`;
  return text;
}

export function renderManifest(manifest: Manifest): string {
  const parts = [
    ...manifest.comment.split('\n').map((line) => `# ${line}\n`),
    '\nninja_required_version = 1.10\n',
    ...manifest.pools.map((pool) => `\npool ${pool.name}\n  depth = ${pool.depth}\n`),
    '\n',
    ...manifest.rules.map(ruleText),
  ];
  // Joined a few hundred edges at a time: an edge's text is a tree of the pieces it was made of
  // until joined, and a large build's trees alive at once cost the garbage collector more than
  // the whole build.ninja does as flat text.
  const chunks: string[] = [parts.join('')];
  parts.length = 0;
  for (const edge of manifest.edges) {
    parts.push(edgeText(edge));
    if (parts.length === EDGES_PER_CHUNK) {
      chunks.push(parts.join(''));
      parts.length = 0;
    }
  }
  if (manifest.defaults.length > 0) parts.push(`default ${pathList(manifest.defaults)}\n`);
  chunks.push(parts.join(''));
  return chunks.join('');
}
