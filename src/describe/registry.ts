import type { Declarations } from './declarations.js';

/**
 * Every environment of a description records into this one module-level collection, so a description
 * is a plain top-level script, like an SConstruct: nothing needs exporting.
 */
export const declarations: Declarations = { steps: [], aliases: [], defaults: [] };

export function resetDeclarations(): void {
  declarations.steps.length = 0;
  declarations.aliases.length = 0;
  declarations.defaults.length = 0;
}
