// Module hooks (node:module register) that let Node 20 import a TypeScript description directly:
// `.ts` files are served as already transpiled by the main thread (so this hooks thread need not load the
// compiler a second time), and `scons-remote` always resolves to this copy of the package, so a description
// works with no node_modules in the user's folder and shares one declaration registry.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ResolveContext {
  parentURL?: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;
type NextLoad = (url: string, context: unknown) => Promise<unknown>;

export interface HooksData {
  packageEntryUrl: string;
  /** JavaScript for every TypeScript file of the description, by file URL. */
  transpiled: Record<string, string>;
}

let packageEntryUrl = '';
let transpiled: Record<string, string> = {};

export function initialize(data: HooksData): void {
  ({ packageEntryUrl, transpiled } = data);
}

function typescriptTwin(specifier: string, parentURL: string): string | undefined {
  const candidates = specifier.endsWith('.js')
    ? [specifier.slice(0, -3) + '.ts']
    : /\.[cm]?[jt]s$/.test(specifier)
      ? []
      : [specifier + '.ts'];
  for (const candidate of candidates) {
    const url = new URL(candidate, parentURL);
    if (existsSync(fileURLToPath(url))) return url.href;
  }
  return undefined;
}

export async function resolve(
  specifier: string,
  context: ResolveContext,
  nextResolve: NextResolve,
): Promise<unknown> {
  if (specifier === 'scons-remote') return { url: packageEntryUrl, shortCircuit: true };
  const parent = context.parentURL;
  if (parent?.endsWith('.ts') && (specifier.startsWith('./') || specifier.startsWith('../'))) {
    const twin = existsSync(fileURLToPath(new URL(specifier, parent)))
      ? undefined
      : typescriptTwin(specifier, parent);
    if (twin) return { url: twin, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<unknown> {
  if (!url.startsWith('file:') || !/\.m?ts$/.test(url)) return nextLoad(url, context);
  const source = transpiled[url];
  if (source === undefined)
    throw new Error(
      `${fileURLToPath(url)} is imported dynamically; a description may import TypeScript files only with static imports`,
    );
  return { format: 'module', source, shortCircuit: true };
}
