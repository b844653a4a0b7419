import { expect, test } from 'vitest'
import { everyTestRuns } from '../../../src/vitest/runtime/every-test-runs.js'

type T = { type: 'test' | 'suite'; mode: string; tasks?: T[] }
const t = (mode: string): T => ({ type: 'test', mode })
const s = (mode: string, tasks: T[]): T => ({ type: 'suite', mode, tasks })

test('a file prunes re-recorded fixtures only when every test in it runs (not under -t, .skip, .only or .todo)', () => {
  expect(everyTestRuns(s('run', [t('run'), s('run', [t('run'), t('run')])]))).toBe(true)
  // -t marks the tests that do not match as skipped; .only skips the others; .skip and .todo.
  expect(everyTestRuns(s('run', [t('run'), s('run', [t('run'), t('skip')])]))).toBe(false)
  expect(everyTestRuns(s('run', [t('run'), s('skip', [t('skip')])]))).toBe(false)
  expect(everyTestRuns(s('run', [t('todo')]))).toBe(false)
  expect(everyTestRuns(s('run', []))).toBe(true)
})
