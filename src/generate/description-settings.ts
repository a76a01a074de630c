/**
 * The compiler settings of a description, as tsconfig.json spells them: remote-gen type-checks with
 * these, and `remote-gen init` writes them for editors, so both see the same errors. Bundler resolution
 * rather than nodenext: a folder without `"type": "module"` would make nodenext read the description as
 * CommonJS and refuse its top-level await.
 */
export const DESCRIPTION_COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'ESNext',
  moduleResolution: 'Bundler',
  allowImportingTsExtensions: true,
  noEmit: true,
  strict: true,
  skipLibCheck: true,
  lib: ['ES2022'],
} as const;
