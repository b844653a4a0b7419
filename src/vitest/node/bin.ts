#!/usr/bin/env node
/**
 * `vitest-simba`: Vitest's own CLI plus `--optimize` (sets SIMBA_OPTIMIZE=1), `--ci` (sets
 * CI=true: strict replay, no snapshot or fixture writes), `--report[=dir]` (sets SIMBA_REPORT) and
 * `--summary file` (sets SIMBA_SUMMARY: a Markdown summary of the run is written there). `--help` and `--version` print and exit;
 * an option neither the bin nor Vitest knows (a misspelt one) exits 2 with a suggestion. Passes every other argument to Vitest
 * unchanged and keeps Vitest's exit code. With `--optimize` it runs once unless `watch` is asked for.
 * @example npx vitest-simba --optimize -u
 */
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { binHelp, parseBinArgs, runOnceWhenOptimizing, unknownOptionMessage } from './args.js'
import { unknownVitestOption } from './vitest-cli.js'
import { libraryVersion } from './provided.js'

/** Vitest's version as installed next to this package. */
function vitestVersion(): string {
  try {
    const require = createRequire(import.meta.url)
    return (require('vitest/package.json') as { version: string }).version
  } catch {
    return 'not found'
  }
}

async function main(): Promise<void> {
  const args = parseBinArgs(process.argv.slice(2))
  if (args.kind === 'help') {
    process.stdout.write(`${binHelp(libraryVersion())}\n`)
    return
  }
  if (args.kind === 'version') {
    process.stdout.write(`${libraryVersion()} (vitest ${vitestVersion()})\n`)
    return
  }
  if (args.kind === 'error') {
    process.stderr.write(`vitest-simba: ${args.message}\n`)
    process.exitCode = 2
    return
  }
  const { optimize, ci, rest } = args
  if (optimize) process.env['SIMBA_OPTIMIZE'] = '1'
  if (args.report !== undefined) process.env['SIMBA_REPORT'] = resolve(args.report)
  if (args.trials !== undefined) process.env['SIMBA_TRIALS'] = String(args.trials)
  if (args.summary !== undefined) process.env['SIMBA_SUMMARY'] = resolve(args.summary)
  if (ci) process.env['CI'] = 'true'
  // Imported after the environment is set: Vitest reads CI when it loads.
  const { parseCLI, startVitest } = await import('vitest/node')
  // An option Vitest does not know either is refused as Vitest's own CLI would, not ignored.
  const unknown = await unknownVitestOption(rest)
  if (unknown) {
    process.stderr.write(`vitest-simba: ${unknownOptionMessage(unknown.option, unknown.known)}\n`)
    process.exitCode = 2
    return
  }
  const { filter, options: parsed } = parseCLI(['vitest', ...rest])
  const options = runOnceWhenOptimizing(optimize, parsed)
  const bench = rest[0] === 'bench'
  if (filter.length > 0 || options.testNamePattern !== undefined) process.env['SIMBA_FILTERED'] = '1'
  // Vitest 4: startVitest(mode, filters, options) with mode 'test' | 'benchmark'. Vitest 5 dropped
  // the mode (filters first; `vitest bench` sets `benchmarkOnly` and turns coverage off).
  const start = startVitest as unknown as (...args: unknown[]) => ReturnType<typeof startVitest>
  const ctx =
    Number.parseInt(vitestVersion(), 10) >= 5
      ? await start(filter, bench ? { ...options, benchmarkOnly: true, coverage: { ...options.coverage, enabled: false } } : options)
      : await start(bench ? 'benchmark' : 'test', filter, options)
  if (ctx && !ctx.shouldKeepServer()) await ctx.close()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
