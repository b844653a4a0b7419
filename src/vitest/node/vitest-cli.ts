/**
 * Vitest's own command-line definition, so the bin rejects an option Vitest does not know exactly
 * as `vitest` itself would (cac's "Unknown option"), instead of passing it on to be ignored.
 * Vitest does not export its CLI builder (only `parseCLI`, which accepts anything), so it is found
 * through the import in Vitest's own `dist/cli.js`.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The parts of a cac option and command the bin reads. */
interface CacOption {
  rawName: string
}
interface CacCommand {
  options: CacOption[]
  checkUnknownOptions(): void
}
interface CacCli {
  globalCommand: CacCommand
  matchedCommand?: CacCommand
  parse(argv: string[], opts: { run: boolean }): unknown
}

/** Vitest's `createCLI`, or undefined when this Vitest does not lay its CLI out as expected. */
async function loadCreateCli(): Promise<(() => CacCli) | undefined> {
  try {
    const require = createRequire(import.meta.url)
    const dist = join(dirname(require.resolve('vitest/package.json')), 'dist')
    const cli = readFileSync(join(dist, 'cli.js'), 'utf8')
    const m = /import\s*\{\s*(\w+)\s+as\s+createCLI\s*\}\s*from\s*['"](\.\/chunks\/[^'"]+)['"]/.exec(cli)
    if (!m) return undefined
    const mod = (await import(pathToFileURL(join(dist, m[2] as string)).href)) as Record<string, unknown>
    const fn = mod[m[1] as string]
    return typeof fn === 'function' ? (fn as () => CacCli) : undefined
  } catch {
    return undefined
  }
}

/** Long option names (`--reporter`) of a cac command. */
function longNames(options: readonly CacOption[]): string[] {
  return options.flatMap((o) =>
    o.rawName
      .split(',')
      .map((part) => part.trim().replace(/[\s<[].*$/, ''))
      .filter((n) => n.startsWith('--')),
  )
}

/**
 * Checks the arguments the bin hands to Vitest against Vitest's own CLI: returns the unknown option
 * and the long option names Vitest knows for the command, or undefined when every option is known
 * (or when Vitest's CLI cannot be inspected, in which case Vitest gets the arguments as before).
 */
export async function unknownVitestOption(args: readonly string[]): Promise<{ option: string; known: string[] } | undefined> {
  const createCli = await loadCreateCli()
  if (!createCli) return undefined
  let cli: CacCli
  try {
    cli = createCli()
    cli.parse(['node', '/index.js', ...args], { run: false })
  } catch {
    // A parse error of Vitest's own (e.g. a missing value) is Vitest's to report when it starts.
    return undefined
  }
  const command = cli.matchedCommand
  if (!command) return undefined
  try {
    command.checkUnknownOptions()
    return undefined
  } catch (error) {
    const option = /`(-[^`]+)`/.exec((error as Error).message)?.[1]
    if (!option || !/Unknown option/.test((error as Error).message)) return undefined
    return { option, known: [...new Set([...longNames(cli.globalCommand.options), ...longNames(command.options)])] }
  }
}
