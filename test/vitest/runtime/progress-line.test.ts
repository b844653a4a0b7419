import fc from 'fast-check'
import { expect, test } from 'vitest'
import type { SimbaEvent } from '../../../src/optimizer/simba/types.js'
import { createProgress, formatDuration } from '../../../src/vitest/runtime/progress.js'

const usage = (calls: number) => ({ calls, cachedCalls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 10 * calls, cost: 0 })
const counts = { built: 2, applied: 1, skipped: 1, gated: 0, failed: 0, ruleCalls: 1, ruleFailures: 0 }
const forecast = { rolloutRunsPerStep: 1, candidateRunsPerStep: 1, reflectionsPerStep: 1, consolidationsPerStep: 0, taskCallsPerStep: 1, baselineCalls: 0, finalCalls: 1, metricCalls: 1, totalCalls: 40, totalTokens: 400, cost: undefined }

/** A two-step run, 10 s per step on a fake clock. */
function run(tty: boolean): string {
  let t = 0
  let out = ''
  const on = createProgress('b', { maxSteps: 2, tty, write: (s) => (out += s), now: () => t })
  const events: Array<[number, SimbaEvent]> = [
    [0, { type: 'start', forecast, bsize: 4, trainsetSize: 8 }],
    [0, { type: 'step-start', step: 0, batch: [] }],
    [5_000, { type: 'rollouts-done', step: 0, mean: 0.5, p10: 0, p90: 1, errors: 0 }],
    [10_000, { type: 'step-end', step: 0, winner: undefined, bestSoFar: 0.5, usage: usage(12), counts }],
    [10_000, { type: 'step-start', step: 1, batch: [] }],
    [12_000, { type: 'warning', code: 'W', message: 'careful' }],
    [20_000, { type: 'step-end', step: 1, winner: undefined, bestSoFar: 0.75, usage: usage(24), counts: { ...counts, ruleFailures: 1 } }],
    [21_000, { type: 'final', score: 0.75, finalists: [], stoppedReason: 'maxSteps', usage: usage(30) }],
  ] as Array<[number, SimbaEvent]>
  for (const [at, e] of events) {
    t = at
    on(e)
  }
  return out
}

test('in a terminal: one status line redrawn in place with step k/N, elapsed, ETA and calls', () => {
  const out = run(true)
  const frames = out.split('\r\u001b[2K')
  expect(frames).toContain('[simba] b: step 1/2 · elapsed 10s · ETA 10s · 12 LM calls')
  expect(frames).toContain('[simba] b: step 2/2 · elapsed 20s · ETA 0s · 24 LM calls')
  // Start, warning and final are lines of their own; the status line is redrawn after the warning.
  expect(out).toContain('[simba] b: warning W: careful\n[simba] b: step 2/2')
  expect(out.endsWith('[simba] b: finished (maxSteps): best 0.750, 30 LM calls, 300 tokens (elapsed 21s · ETA 0s)\n')).toBe(true)
})

test('without a terminal: plain lines, no carriage returns, timing on finished steps', () => {
  const out = run(false)
  expect(out).not.toContain('\r')
  expect(out.split('\n')).toContain('[simba] b: step 1 done: winner none, best so far 0.500, candidates 2 built (1 applied, 1 skipped, 0 gated), 0 failed, 12 LM calls (elapsed 10s · ETA 10s)')
})

test('durations read as s, m and h', () => {
  expect([formatDuration(0), formatDuration(59_400), formatDuration(185_000), formatDuration(3_720_000)]).toEqual(['0s', '59s', '3m05s', '1h02m'])
  fc.assert(fc.property(fc.integer({ min: -1_000, max: 10 ** 9 }), (ms) => /^(\d+s|\d+m\d\ds|\d+h\d\dm)$/.test(formatDuration(ms))))
})
