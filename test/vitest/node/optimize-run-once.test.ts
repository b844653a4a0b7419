import { expect, test } from 'vitest'
import { parseCLI } from 'vitest/node'
import { runOnceWhenOptimizing, splitArgs } from '../../../src/vitest/node/args.js'

const options = (argv: string[]) => {
  const { optimize, rest } = splitArgs(argv)
  return runOnceWhenOptimizing(optimize, parseCLI(['vitest', ...rest]).options)
}

test('`vitest-simba --optimize` runs once instead of entering watch mode in a terminal', () => {
  expect(options(['--optimize']).run).toBe(true)
  expect(options(['--optimize', '-u', 'a.test.ts']).run).toBe(true)
  expect(options(['run', '--optimize']).run).toBe(true)
})

test('explicit watch mode, and runs without --optimize, are left to Vitest', () => {
  expect(options(['watch', '--optimize'])).toMatchObject({ watch: true })
  expect(options(['watch', '--optimize']).run).toBeUndefined()
  expect(options(['--optimize', '--watch']).run).toBeUndefined()
  expect(options([]).run).toBeUndefined()
  expect(options(['-u']).run).toBeUndefined()
})

test('optimize mode under plain `vitest` in a terminal gets a run-once notice; explicit watch gets a warning', async () => {
  const { optimizeWatchNotice } = await import('../../../src/vitest/node/plugin.js')
  const plain = parseCLI(['vitest']).options
  expect(optimizeWatchNotice({ optimize: true, watching: false, cli: plain, terminal: true })).toMatch(/runs once, like `vitest run`/)
  expect(optimizeWatchNotice({ optimize: true, watching: true, cli: parseCLI(['vitest', 'watch']).options, terminal: true })).toMatch(/every save re-runs SIMBA/)
  // Nothing to say: not optimizing, `vitest run`, no terminal (Vitest would not watch), or the bin (not Vitest's CLI).
  expect(optimizeWatchNotice({ optimize: false, watching: false, cli: plain, terminal: true })).toBeUndefined()
  expect(optimizeWatchNotice({ optimize: true, watching: false, cli: parseCLI(['vitest', 'run']).options, terminal: true })).toBeUndefined()
  expect(optimizeWatchNotice({ optimize: true, watching: false, cli: plain, terminal: false })).toBeUndefined()
  expect(optimizeWatchNotice({ optimize: true, watching: false, cli: undefined, terminal: true })).toBeUndefined()
})
