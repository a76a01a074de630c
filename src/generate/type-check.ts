import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../util/user-error.js';
import { DESCRIPTION_COMPILER_OPTIONS } from './description-settings.js';

const require = createRequire(import.meta.url);
// Loaded with require: importing this 9 MB CommonJS file from ESM makes Node scan it for exports first.
const ts = require('typescript') as typeof import('typescript');

/** Fixed settings, so a description type-checks the same with or without a tsconfig or node_modules of its own. */
function compilerOptions(): import('typescript').CompilerOptions {
  return {
    ...ts.convertCompilerOptionsFromJson(DESCRIPTION_COMPILER_OPTIONS, process.cwd()).options,
    types: ['node'],
    typeRoots: [dirname(dirname(require.resolve('@types/node/package.json')))],
    paths: { 'scons-remote': [fileURLToPath(new URL('../index.d.ts', import.meta.url))] },
  };
}

function describeDiagnostic(diagnostic: import('typescript').Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
  if (!diagnostic.file || diagnostic.start === undefined)
    return `error TS${diagnostic.code}: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${relative(process.cwd(), diagnostic.file.fileName)}:${line + 1}:${character + 1}: error TS${diagnostic.code}: ${message}`;
}

export interface TypeChecked {
  /** The project files the description is made of (itself and what it imports): build.ninja's inputs. */
  files: string[];
  /** Every file the check read, with the text it read (declarations and the compiler's version too). */
  inputs: Map<string, string>;
}

/** Type-checks the description; a type error is a UserError naming its file:line:col. */
export function typeCheckDescription(file: string): TypeChecked {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  // Parsing the AWS SDK's declarations dominates the check; their JSDoc is only needed by editors.
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
  const program = ts.createProgram({ rootNames: [resolve(file)], options, host });
  const errors = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new UserError(describeDiagnostic(errors[0]!).replace(/\s+/g, ' ') + more);
  }
  const sources = program.getSourceFiles();
  return {
    files: sources
      .filter((source) => !source.isDeclarationFile && !source.fileName.includes('/node_modules/'))
      .map((source) => resolve(source.fileName)),
    inputs: new Map([
      ...sources.map((source) => [resolve(source.fileName), source.text] as const),
      [require.resolve('typescript/package.json'), ''],
    ]),
  };
}

/** JavaScript for one file of the description, and its source map (messages name the .ts lines). */
export function transpileDescriptionFile(
  fileName: string,
  text: string,
): { code: string; sourceMap: string } {
  const output = ts.transpileModule(text, {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      sourceMap: true,
    },
  });
  // The map is handed over directly, so the comment pointing at a .map file would only mislead.
  const code = output.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  return { code, sourceMap: output.sourceMapText ?? '{}' };
}
