import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../util/user-error.js';
import { DESCRIPTION_COMPILER_OPTIONS } from './description-settings.js';
import {
  fingerprintsOf,
  type CheckedDescription,
  type TranspiledFile,
} from './type-check-record.js';

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

function describeDiagnostic(diagnostic: import('typescript').Diagnostic, cwd: string): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
  if (!diagnostic.file || diagnostic.start === undefined)
    return `error TS${diagnostic.code}: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const where = `${relative(cwd, diagnostic.file.fileName)}:${line + 1}:${character + 1}`;
  return `${where}: error TS${diagnostic.code}: ${message}`;
}

/**
 * What one check leaves for the next in the same process (the type-checker daemon): the files it
 * parsed, reused while their text is the same, and the program, whose module resolutions are reused.
 */
export class WarmCheck {
  readonly parsed = new Map<string, import('typescript').SourceFile>();
  program: import('typescript').Program | undefined;
}

function compilerHost(
  options: import('typescript').CompilerOptions,
  warm: WarmCheck | undefined,
): import('typescript').CompilerHost {
  const host = ts.createCompilerHost(options);
  // Parsing the declarations dominates a cold check; their JSDoc is only needed by editors.
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
  if (!warm) return host;
  const parse = host.getSourceFile.bind(host);
  // Each file is read again, so an edit or a reinstall is always seen; only an equal text is reused.
  host.getSourceFile = (fileName, language, onError) => {
    const text = host.readFile(fileName);
    const known = warm.parsed.get(fileName);
    if (text !== undefined && known?.text === text) return known;
    const parsed = parse(fileName, language, onError);
    if (parsed) warm.parsed.set(fileName, parsed);
    else warm.parsed.delete(fileName);
    return parsed;
  };
  return host;
}

interface TypeChecked {
  /** The project files the description is made of (itself and what it imports): build.ninja's inputs. */
  files: string[];
  /** Every file the check read, with the text it read (declarations and the compiler's version too). */
  inputs: Map<string, string>;
}

/** Type-checks the description; a type error is a UserError naming its file:line:col from `cwd`. */
function typeCheckDescription(file: string, cwd: string, warm?: WarmCheck): TypeChecked {
  const options = compilerOptions();
  const host = compilerHost(options, warm);
  const program = ts.createProgram({
    rootNames: [resolve(cwd, file)],
    options,
    host,
    oldProgram: warm?.program,
  });
  if (warm) warm.program = program;
  const errors = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new UserError(describeDiagnostic(errors[0]!, cwd).replace(/\s+/g, ' ') + more);
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
function transpileDescriptionFile(fileName: string, text: string): TranspiledFile {
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

/** A description checked and transpiled, with the fingerprints of what the check read. */
export interface FreshCheck {
  checked: CheckedDescription;
  /** Undefined when a file the check read is gone already: then the check is not recorded. */
  fingerprints: Record<string, string> | undefined;
}

/** Type-checks `file` (relative to `cwd`) and transpiles its TypeScript files. */
export function checkDescription(file: string, cwd: string, warm?: WarmCheck): FreshCheck {
  const { files, inputs } = typeCheckDescription(file, cwd, warm);
  const transpiled: Record<string, TranspiledFile> = {};
  for (const path of files.filter((name) => /\.m?ts$/.test(name)))
    transpiled[path] = transpileDescriptionFile(path, inputs.get(path)!);
  return { checked: { files, transpiled }, fingerprints: fingerprintsOf(inputs) };
}
