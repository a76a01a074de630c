import { appendFileSync } from 'node:fs';

// Module hooks (node's `register`) that note every module a process resolves in the file that
// MODULE_LOG names: what a test reads to see which packages a step's client loaded.

type Resolve = (
  specifier: string,
  context: object,
) => Promise<{ url: string; format?: string | null }>;

export async function resolve(specifier: string, context: object, next: Resolve) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env['MODULE_LOG']!, `${resolved.url}\n`);
  return resolved;
}
