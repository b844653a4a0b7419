/**
 * Finds public API items without a JSDoc comment, using the TypeScript compiler API: every symbol
 * exported by the entry files (re-exports followed to their declaration), every property of exported
 * options types, and every public member declared in an exported class.
 */
import { relative, resolve } from 'node:path'
import ts from 'typescript'

/** Options types named outside the `…Options` convention would be listed here; all current ones end in `Options`. */
export const OPTIONS_TYPES = new Set([
  'LMOptions',
  'SimbaOptions',
  'SimbaPluginOptions',
  'OptimizeBlockOptions',
  'SimulatorOptions',
  'FixtureRecorderOptions',
  'EvaluateOptions',
  'PredictOptions',
])

/** One undocumented item: `where` is `file:line`, `name` is `symbol` or `symbol.member`. */
export interface MissingDoc {
  where: string
  name: string
}

const isOptionsName = (name: string): boolean => name.endsWith('Options') || OPTIONS_TYPES.has(name)

/** Builds one program over `entries` (compiler options from `tsconfig.json`) and lists every missing doc comment. */
export function auditPublicDocs(root: string, entries: string[]): { missing: MissingDoc[]; checked: number } {
  const config = ts.readConfigFile(resolve(root, 'tsconfig.json'), ts.sys.readFile)
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root)
  const program = ts.createProgram({ rootNames: entries.map((e) => resolve(root, e)), options: { ...parsed.options, noEmit: true } })
  const checker = program.getTypeChecker()
  const srcDir = resolve(root, 'src')
  const inSrc = (node: ts.Node): boolean => !relative(srcDir, node.getSourceFile().fileName).startsWith('..')
  const where = (node: ts.Node): string => {
    const sf = node.getSourceFile()
    const named = (node as ts.NamedDeclaration).name ?? node
    const { line } = sf.getLineAndCharacterOfPosition(named.getStart(sf))
    return `${relative(root, sf.fileName)}:${line + 1}`
  }
  // The declaration's own /** */ (not one inherited from a base type, not the file's header comment).
  const ownDoc = (decl: ts.Node): boolean => {
    const doc = ts.getJSDocCommentsAndTags(decl).filter(ts.isJSDoc).at(-1)
    if (!doc || !ts.getTextOfJSDocComment(doc.comment)?.trim()) return false
    const text = decl.getSourceFile().text
    const isFileHeader = /^(#![^\n]*\n)?\s*$/.test(text.slice(0, doc.getStart())) && /\n\s*\n/.test(text.slice(doc.end, decl.getStart()))
    return !isFileHeader
  }

  const missing: MissingDoc[] = []
  const seen = new Set<ts.Symbol>()
  let checked = 0
  const check = (decls: ts.Node[], name: string): void => {
    checked++
    if (decls[0] && !decls.some(ownDoc)) missing.push({ where: where(decls[0]), name })
  }

  for (const entry of entries) {
    const sf = program.getSourceFile(resolve(root, entry))
    const moduleSymbol = sf && checker.getSymbolAtLocation(sf)
    if (!moduleSymbol) throw new Error(`cannot load entry ${entry}`)
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      if (seen.has(symbol)) continue
      seen.add(symbol)
      const decls = (symbol.declarations ?? []).filter(inSrc)
      const name = exported.name
      check(decls, name)
      for (const decl of decls) {
        if (ts.isClassDeclaration(decl)) auditClass(decl, name)
        if ((ts.isInterfaceDeclaration(decl) || ts.isTypeAliasDeclaration(decl)) && isOptionsName(name)) auditOptions(symbol, name)
      }
    }
  }

  function auditClass(decl: ts.ClassDeclaration, className: string): void {
    for (const member of decl.members) {
      if (ts.isConstructorDeclaration(member) || ts.isClassStaticBlockDeclaration(member) || ts.isIndexSignatureDeclaration(member)) continue
      if (ts.isSemicolonClassElement(member) || !member.name || ts.isPrivateIdentifier(member.name)) continue
      const flags = ts.getCombinedModifierFlags(member)
      if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue
      const symbol = checker.getSymbolAtLocation(member.name)
      if (!symbol || seen.has(symbol)) continue
      seen.add(symbol)
      check((symbol.declarations ?? [member]).filter(inSrc), `${className}.${member.name.getText()}`)
    }
  }

  function auditOptions(symbol: ts.Symbol, typeName: string): void {
    for (const prop of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))) {
      const decls = (prop.declarations ?? []).filter(inSrc)
      if (decls.length === 0 || seen.has(prop)) continue
      seen.add(prop)
      check(decls, `${typeName}.${prop.name}`)
    }
  }

  return { missing, checked }
}
