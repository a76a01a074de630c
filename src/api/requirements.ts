import { UserError } from '../util/user-error.js';

// What a connection requires of its instance (`options.requires`) and how it prepares it
// (`options.setup`): the grammar both remote-gen and remote-exec check, and the version comparison.

/** A command the instance must have, optionally at a version such as '>=3.10' or '>=3.10, <4'. */
export interface Requirement {
  cmd: string;
  version?: string;
}

export type RequirementSpec = string | Requirement;

type Comparator = '>=' | '<=' | '>' | '<' | '=';

interface Bound {
  op: Comparator;
  version: number[];
}

const BOUND = /^(>=|<=|>|<|=)\s*(\d+(?:\.\d+)*)$/;
const COMMAND_NAME = /^[\w./+-]+$/;

/** The bounds of a constraint ('>=3.10, <4'), or undefined when it is not one. */
export function parseConstraint(text: string): Bound[] | undefined {
  const parts = text.split(',').map((part) => part.trim());
  const bounds = parts.map((part) => BOUND.exec(part));
  if (bounds.some((match) => match === null)) return undefined;
  return bounds.map((match) => ({
    op: match![1] as Comparator,
    version: match![2]!.split('.').map(Number),
  }));
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

function meets(version: readonly number[], { op, version: bound }: Bound): boolean {
  // '=3.10' names a release line: 3.10, 3.10.0 and 3.10.12 all match it.
  if (op === '=') return bound.every((part, i) => version[i] === part);
  const order = compare(version, bound);
  return op === '>=' ? order >= 0 : op === '>' ? order > 0 : op === '<=' ? order <= 0 : order < 0;
}

export function satisfies(version: readonly number[], constraint: string): boolean {
  return (parseConstraint(constraint) ?? []).every((bound) => meets(version, bound));
}

/**
 * The version in the first line a tool prints for `--version`: its first dotted number
 * ('gcc-12 (Debian 12.2.0-14) 12.2.0' gives 12.2.0), else its first whole number.
 */
export function versionOf(line: string): number[] | undefined {
  const found = /\d+(?:\.\d+)+/.exec(line) ?? /\d+/.exec(line);
  return found ? found[0].split('.').map(Number) : undefined;
}

/** Every requirement as `{ cmd, version? }`. */
export function requirementsOf(specs: readonly RequirementSpec[] | undefined): Requirement[] {
  return (specs ?? []).map((spec) => (typeof spec === 'string' ? { cmd: spec } : spec));
}

function checkRequirement(spec: unknown, where: string): void {
  const { cmd, version, ...rest } =
    typeof spec === 'string' ? { cmd: spec } : ((spec ?? {}) as Record<string, unknown>);
  const extra = Object.keys(rest)[0];
  if (typeof spec !== 'string' && (typeof spec !== 'object' || spec === null || extra))
    throw new UserError(
      `${where} must be a command name or { cmd, version }${extra ? `, not '${extra}'` : ''}`,
    );
  if (typeof cmd !== 'string' || !COMMAND_NAME.test(cmd) || cmd.startsWith('-'))
    throw new UserError(`${where}: ${JSON.stringify(cmd)} is not a command name`);
  if (version !== undefined && (typeof version !== 'string' || !parseConstraint(version)))
    throw new UserError(
      `${where}: version ${JSON.stringify(version)} is not a constraint such as '>=3.10' or '>=3.10, <4'`,
    );
}

/** Checks `requires` and `setup` of a connection's options; `where` names the file, line or key at fault. */
export function checkEnvironmentOptions(
  options: { requires?: unknown; setup?: unknown },
  where: string,
): void {
  const { requires, setup } = options;
  if (requires !== undefined) {
    if (!Array.isArray(requires))
      throw new UserError(`${where}requires must be a list of commands`);
    requires.forEach((spec, i) => checkRequirement(spec, `${where}requires[${i}]`));
  }
  if (setup !== undefined && (typeof setup !== 'string' || setup.trim() === ''))
    throw new UserError(`${where}setup must be a non-empty shell script`);
}
