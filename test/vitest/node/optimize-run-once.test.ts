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
