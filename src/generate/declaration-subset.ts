// Build-time only: copies the declarations a few exported types are made of (and what those reference,
// transitively) out of their packages into one self-contained module, keeping every name. Types that
// every description's type-check has anyway (TypeScript's lib, @types/node) are referenced, not copied.
import { join } from 'node:path';
import ts from 'typescript';
import { DESCRIPTION_COMPILER_OPTIONS } from './description-settings.js';

export interface ExportedType {
  module: string;
  name: string;
}

type Copyable =
  | ts.InterfaceDeclaration
  | ts.TypeAliasDeclaration
  | ts.ClassDeclaration
  | ts.EnumDeclaration
  | ts.FunctionDeclaration
  | ts.VariableDeclaration;

function isCopyable(node: ts.Node): node is Copyable {
  if (ts.isVariableDeclaration(node)) return ts.isVariableStatement(node.parent.parent);
  return (
    ts.isInterfaceDeclaration(node) ||
    ts.isTypeAliasDeclaration(node) ||
    ts.isClassDeclaration(node) ||
    ts.isEnumDeclaration(node) ||
    ts.isFunctionDeclaration(node)
  );
}

function leftmost(name: ts.Node): ts.Identifier {
  if (ts.isQualifiedName(name)) return leftmost(name.left);
  if (ts.isPropertyAccessExpression(name)) return leftmost(name.expression);
  if (ts.isIdentifier(name)) return name;
  throw new Error(`unexpected reference ${ts.SyntaxKind[name.kind]}`);
}

function rightmost(name: ts.Node): ts.Node {
  if (ts.isQualifiedName(name)) return name.right;
  if (ts.isPropertyAccessExpression(name)) return name.name;
  return name;
}

function programFor(entry: string, entryText: string): ts.Program {
  const options: ts.CompilerOptions = {
    ...ts.convertCompilerOptionsFromJson(DESCRIPTION_COMPILER_OPTIONS, process.cwd()).options,
    types: ['node'],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => (file === entry ? entryText : readFile(file));
  host.fileExists = (file) => file === entry || ts.sys.fileExists(file);
  host.getSourceFile = (file, language, ...rest) =>
    file === entry
      ? ts.createSourceFile(file, entryText, language)
      : getSourceFile(file, language, ...rest);
  return ts.createProgram({ rootNames: [entry], options, host });
}

/**
 * The text of a declaration module exporting `types` under their own names. `fromDir` is where their
 * packages are resolved from.
 */
export function declarationSubset(types: ExportedType[], fromDir: string): string {
  const entry = join(fromDir, 'declaration-subset-entry.ts');
  const entryText = types.map((t) => `export type { ${t.name} } from '${t.module}';\n`).join('');
  const program = programFor(entry, entryText);
  const checker = program.getTypeChecker();
  // What a description's check loads anyway: lib and @types/node.
  const everywhere = new Set(
    programFor(entry, 'export {};')
      .getSourceFiles()
      .map((file) => file.fileName),
  );
  const isShared = (node: ts.Node): boolean => everywhere.has(node.getSourceFile().fileName);

  const resolveAlias = (symbol: ts.Symbol): ts.Symbol =>
    symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const copied = new Map<ts.Symbol, string>();
  const order: ts.Symbol[] = [];
  const globalNames = new Set<string>();
  const queue = (symbol: ts.Symbol): void => {
    if (copied.has(symbol)) return;
    copied.set(symbol, symbol.name);
    order.push(symbol);
  };
  const rootSymbols = program
    .getSourceFile(entry)!
    .statements.flatMap((statement) =>
      ts.isExportDeclaration(statement) && statement.exportClause
        ? (statement.exportClause as ts.NamedExports).elements.map((element) =>
            resolveAlias(checker.getSymbolAtLocation(element.name)!),
          )
        : [],
    );
  rootSymbols.forEach(queue);

  // Pass 1: the closure of copied symbols, and the global names they use (which copies must not shadow).
  const references = (node: ts.Node): ts.Node | undefined => {
    if (ts.isTypeReferenceNode(node)) return node.typeName;
    if (ts.isExpressionWithTypeArguments(node)) return node.expression;
    if (ts.isTypeQueryNode(node)) return node.exprName;
    if (ts.isComputedPropertyName(node) && !ts.isLiteralExpression(node.expression))
      return node.expression;
    if (ts.isImportTypeNode(node)) throw new Error(`import() types are not supported here`);
    return undefined;
  };
  const targetOf = (name: ts.Node): ts.Symbol | undefined => {
    const symbol = checker.getSymbolAtLocation(rightmost(name));
    return symbol && resolveAlias(symbol);
  };
  // Type parameters, parameters (`typeof key`) and shared declarations keep their names as written,
  // also a global one that a package merely augments (smithy's empty `RequestInit` stub).
  const isCopied = (symbol: ts.Symbol): boolean => {
    const declarations = symbol.declarations ?? [];
    if (declarations.some(isShared) || !declarations.some(isCopyable)) return false;
    const other = declarations.find((declaration) => !isCopyable(declaration));
    if (other) throw new Error(`${symbol.name}: cannot copy a ${ts.SyntaxKind[other.kind]}`);
    return true;
  };
  const walk = (node: ts.Node): void => {
    const name = references(node);
    const target = name && targetOf(name);
    if (name && !target) throw new Error(`unresolved type ${name.getText()}`);
    if (target && isCopied(target)) queue(target);
    else if (name && !importedName(name)) globalNames.add(leftmost(name).text);
    ts.forEachChild(node, walk);
  };
  const importedName = (name: ts.Node): ts.ImportDeclaration | undefined => {
    const local = checker.getSymbolAtLocation(leftmost(name));
    const declaration = local?.declarations?.[0];
    if (!local || !(local.flags & ts.SymbolFlags.Alias) || !declaration) return undefined;
    let parent: ts.Node | undefined = declaration;
    while (parent && !ts.isImportDeclaration(parent)) parent = parent.parent;
    return parent;
  };
  // isCopied made sure every declaration of a queued symbol is Copyable.
  for (let i = 0; i < order.length; i++)
    for (const declaration of order[i]!.declarations!) ts.forEachChild(declaration, walk);

  // Pass 2: unique names, then the declarations printed with their references renamed.
  const taken = new Set(globalNames);
  for (const symbol of order) {
    let name = symbol.name;
    for (let n = 2; taken.has(name); n++) name = `${symbol.name}_${n}`;
    if (rootSymbols.includes(symbol) && name !== symbol.name)
      throw new Error(`${symbol.name} is also a global name`);
    taken.add(name);
    copied.set(symbol, name);
  }
  const imports = new Map<string, string>();
  const importLine = (name: ts.Node, from: ts.ImportDeclaration): ts.Identifier => {
    const specifier = (from.moduleSpecifier as ts.StringLiteral).text;
    const local = leftmost(name);
    const original = checker.getSymbolAtLocation(local)!.declarations![0]!;
    const whole = ts.isNamespaceImport(original);
    const imported = ts.isImportSpecifier(original)
      ? (original.propertyName ?? original.name).text
      : local.text;
    const key = `${whole ? '*' : imported} from '${specifier}'`;
    let alias = imports.get(key);
    if (!alias) {
      alias = `${imported}_${imports.size + 1}`;
      while (taken.has(alias)) alias += '_';
      taken.add(alias);
      imports.set(key, alias);
    }
    return ts.factory.createIdentifier(alias);
  };
  const rename = (name: ts.Node): ts.Node => {
    const target = targetOf(name)!;
    if (isCopied(target)) return ts.factory.createIdentifier(copied.get(target)!);
    const from = importedName(name);
    if (!from) return name;
    const alias = importLine(name, from);
    if (ts.isIdentifier(name)) return alias;
    const rest = name.getText().slice(leftmost(name).text.length + 1);
    return ts.factory.createQualifiedName(alias, rest);
  };
  const renamer: ts.TransformerFactory<ts.Node> = (context) => {
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isTypeReferenceNode(node))
        return ts.factory.updateTypeReferenceNode(
          node,
          rename(node.typeName) as ts.EntityName,
          ts.visitNodes(node.typeArguments, visit, ts.isTypeNode),
        );
      if (ts.isExpressionWithTypeArguments(node))
        return ts.factory.updateExpressionWithTypeArguments(
          node,
          rename(node.expression) as ts.Expression,
          ts.visitNodes(node.typeArguments, visit, ts.isTypeNode),
        );
      if (ts.isComputedPropertyName(node) && !ts.isLiteralExpression(node.expression))
        return ts.factory.updateComputedPropertyName(
          node,
          rename(node.expression) as ts.Expression,
        );
      if (ts.isTypeQueryNode(node))
        return ts.factory.updateTypeQueryNode(
          node,
          rename(node.exprName) as ts.EntityName,
          ts.visitNodes(node.typeArguments, visit, ts.isTypeNode),
        );
      return ts.visitEachChild(node, visit, context);
    };
    return (node) => ts.visitEachChild(node, visit, context);
  };

  const printer = ts.createPrinter({ removeComments: true });
  const body: string[] = [];
  for (const symbol of order) {
    for (const declaration of symbol.declarations as Copyable[]) {
      const renamed = ts.transform(declaration, [renamer]).transformed[0] as Copyable;
      const statement = exported(renamed, declaration, copied.get(symbol)!);
      body.push(printer.printNode(ts.EmitHint.Unspecified, statement, declaration.getSourceFile()));
    }
  }
  const importLines = [...imports].map(([key, alias]) =>
    key.startsWith('*')
      ? `import type * as ${alias} ${key.slice(2)};`
      : `import type { ${key.split(' ')[0]} as ${alias} } ${key.split(' ').slice(1).join(' ')};`,
  );
  return [...importLines, ...body, ''].join('\n');
}

const { factory } = ts;

/** The declaration as a top-level export of a declaration module, under `name`. */
function exported(node: Copyable, original: Copyable, name: string): ts.Statement {
  const id = factory.createIdentifier(name);
  const modifiers = (declare: boolean): ts.ModifierLike[] => [
    factory.createModifier(ts.SyntaxKind.ExportKeyword),
    ...(declare ? [factory.createModifier(ts.SyntaxKind.DeclareKeyword)] : []),
    ...(ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : []).filter(
      (m) =>
        m.kind !== ts.SyntaxKind.ExportKeyword &&
        m.kind !== ts.SyntaxKind.DeclareKeyword &&
        m.kind !== ts.SyntaxKind.DefaultKeyword,
    ),
  ];
  if (ts.isInterfaceDeclaration(node))
    return factory.updateInterfaceDeclaration(
      node,
      modifiers(false),
      id,
      node.typeParameters,
      node.heritageClauses,
      node.members,
    );
  if (ts.isTypeAliasDeclaration(node))
    return factory.updateTypeAliasDeclaration(
      node,
      modifiers(false),
      id,
      node.typeParameters,
      node.type,
    );
  if (ts.isClassDeclaration(node))
    return factory.updateClassDeclaration(
      node,
      modifiers(true),
      id,
      node.typeParameters,
      node.heritageClauses,
      node.members,
    );
  if (ts.isEnumDeclaration(node))
    return factory.updateEnumDeclaration(node, modifiers(true), id, node.members);
  if (ts.isFunctionDeclaration(node))
    return factory.updateFunctionDeclaration(
      node,
      modifiers(true),
      node.asteriskToken,
      id,
      node.typeParameters,
      node.parameters,
      node.type,
      undefined,
    );
  const list = original.parent as ts.VariableDeclarationList;
  return factory.createVariableStatement(
    modifiers(true),
    factory.createVariableDeclarationList(
      [factory.updateVariableDeclaration(node, id, undefined, node.type, node.initializer)],
      list.flags,
    ),
  );
}
