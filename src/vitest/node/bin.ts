#!/usr/bin/env node
/**
 * `vitest-simba`: Vitest's own CLI plus `--optimize` (sets SIMBA_OPTIMIZE=1) and `--ci` (sets
 * CI=true: strict replay, no snapshot or fixture writes). Passes every other argument to Vitest
 * unchanged and keeps Vitest's exit code. With `--optimize` it runs once unless `watch` is asked for.
 * @example npx vitest-simba --optimize -u
 */
import { runOnceWhenOptimizing, splitArgs } from './args.js'

async function main(): Promise<void> {
  const { optimize, ci, rest } = splitArgs(process.argv.slice(2))
  if (optimize) process.env['SIMBA_OPTIMIZE'] = '1'
  if (ci) process.env['CI'] = 'true'
  // Imported after the environment is set: Vitest reads CI when it loads.
  const { parseCLI, startVitest } = await import('vitest/node')
  const { filter, options: parsed } = parseCLI(['vitest', ...rest])
  const options = runOnceWhenOptimizing(optimize, parsed)
  const mode = rest[0] === 'bench' ? 'benchmark' : 'test'
  if (filter.length > 0 || options.testNamePattern !== undefined) process.env['SIMBA_FILTERED'] = '1'
  const ctx = await startVitest(mode, filter, options)
  if (ctx && !ctx.shouldKeepServer()) await ctx.close()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
