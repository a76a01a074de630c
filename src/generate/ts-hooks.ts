// Module hooks (node:module register) that let Node 20 import a TypeScript description directly:
// `.ts` files are transpiled on load, and `scons-remote` always resolves to this copy of the package,
// so a description works with no node_modules in the user's folder and shares one declaration registry.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

interface ResolveContext { parentURL?: string }
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;
type NextLoad = (url: string, context: unknown) => Promise<unknown>;

let packageEntryUrl = '';

export function initialize(data: { packageEntryUrl: string }): void {
  packageEntryUrl = data.packageEntryUrl;
}

function typescriptTwin(specifier: string, parentURL: string): string | undefined {
  const candidates = specifier.endsWith('.js') ? [specifier.slice(0, -3) + '.ts'] : /\.[cm]?[jt]s$/.test(specifier) ? [] : [specifier + '.ts'];
  for (const candidate of candidates) {
    const url = new URL(candidate, parentURL);
    if (existsSync(fileURLToPath(url))) return url.href;
  }
  return undefined;
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<unknown> {
  if (specifier === 'scons-remote') return { url: packageEntryUrl, shortCircuit: true };
  const parent = context.parentURL;
  if (parent?.endsWith('.ts') && (specifier.startsWith('./') || specifier.startsWith('../'))) {
    const twin = existsSync(fileURLToPath(new URL(specifier, parent))) ? undefined : typescriptTwin(specifier, parent);
    if (twin) return { url: twin, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<unknown> {
  if (!url.startsWith('file:') || !/\.m?ts$/.test(url)) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const output = ts.transpileModule(readFileSync(fileName, 'utf8'), {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, inlineSourceMap: true, inlineSources: true },
  });
  return { format: 'module', source: output.outputText, shortCircuit: true };
}
