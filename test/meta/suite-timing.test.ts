/**
 * The suite's verdicts must not depend on how busy the machine is. Timeouts are hang guards only:
 * the config's are long, and no test file sets a shorter one of its own (a per-test `}, 60_000)`
 * is a wall-clock budget that a loaded machine exceeds while the test is still on its way to pass).
 */
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { expect, test } from 'vitest'
import { listFiles, ROOT } from '../e2e/harness.js'

const GUARD_MS = 600_000

/** Test files of the suite (fixture projects excluded: they are the users' code under test). */
const testFiles = (): string[] => listFiles(join(ROOT, 'test')).filter((f) => /\.test\.ts$/.test(f) && !f.includes(`${join('test', 'meta', 'fixtures')}`))

test('the config timeouts are hang guards (>= 10 minutes), not speed budgets', () => {
  const config = readFileSync(join(ROOT, 'vitest.config.ts'), 'utf8')
  for (const key of ['testTimeout', 'hookTimeout']) {
    const m = new RegExp(`${key}:\\s*([\\d_]+)`).exec(config)
    expect(m, `${key} is missing from vitest.config.ts`).not.toBeNull()
    expect(Number((m?.[1] ?? '0').replaceAll('_', '')), key).toBeGreaterThanOrEqual(GUARD_MS)
  }
})

test('no test or hook sets a timeout shorter than the hang guard', () => {
  const found: string[] = []
  for (const file of testFiles()) {
    const lines = readFileSync(file, 'utf8').split('\n')
    lines.forEach((line, i) => {
      // `test(..., async () => { ... }, 60_000)` / `beforeAll(fn, 30_000)` / `{ timeout: 5000 }` options
      const m = /^\s*\}\s*,\s*([\d_]+)\s*\)\s*;?\s*$/.exec(line) ?? /^\s*(?:test|it|describe|beforeAll|afterAll|beforeEach|afterEach)\b.*\{\s*timeout:\s*([\d_]+)/.exec(line)
      const ms = Number((m?.[1] ?? '0').replaceAll('_', ''))
      // (under 1 s it is a timer's interval, not a test's budget)
      if (m && ms >= 1000 && ms < GUARD_MS) found.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`)
    })
  }
  expect(found, 'per-test timeouts are wall-clock budgets a busy machine exceeds: remove them (the config has a hang guard)').toEqual([])
})
