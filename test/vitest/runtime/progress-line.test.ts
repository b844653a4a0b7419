import fc from 'fast-check'
import { expect, test } from 'vitest'
import type { CandidateCounts, SimbaEvent } from '../../../src/optimizer/simba/types.js'
import { candidateCounts, createProgress, formatDuration, progressLine } from '../../../src/vitest/runtime/progress.js'

const usage = (calls: number) => ({ calls, cachedCalls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 10 * calls, cost: 0 })
const counts = { built: 2, applied: 1, skipped: 1, gated: 0, failed: 0, merged: 0, ruleCalls: 1, ruleFailures: 0 }
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
    [10_000, { type: 'step-end', step: 0, winner: undefined, bestSoFar: 0.5, wanted: 3, usage: usage(12), counts }],
    [10_000, { type: 'step-start', step: 1, batch: [] }],
    [12_000, { type: 'warning', code: 'W', message: 'careful' }],
    [20_000, { type: 'step-end', step: 1, winner: undefined, bestSoFar: 0.75, wanted: 3, usage: usage(24), counts: { ...counts, ruleFailures: 1 } }],
    [21_000, { type: 'final', score: 0.75, finalists: [], stoppedReason: 'maxSteps', usage: usage(30), summary: { ...counts, built: 4, applied: 2, skipped: 2, ruleCalls: 2, ruleFailures: 1, steps: 2, runErrors: 0, unchanged: false } }],
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
  expect(out.endsWith('[simba] b: finished (maxSteps): returned program 0.750 (mini-batch), 30 LM calls in all, 300 tokens; candidates over 2 steps: 4 candidates built from 4 buckets tried (2 applied, 2 skipped (advice changed nothing), 0 failed; 1 of 2 rule calls failed) (elapsed 21s · ETA 0s)\n')).toBe(true)
})

test('without a terminal: plain lines, no carriage returns, timing on finished steps', () => {
  const out = run(false)
  expect(out).not.toContain('\r')
  expect(out.split('\n')).toContain(
    '[simba] b: step 1 done: step winner none, best step winner so far 0.500 (mini-batch means); 2 of 3 candidates built from 2 buckets tried (1 applied, 1 skipped (advice changed nothing), 0 failed); 12 LM calls so far (elapsed 10s · ETA 10s)',
  )
})

test('candidate counts say how many of the wanted candidates were built and what happened to every bucket tried', () => {
  const c = (over: Partial<CandidateCounts>): CandidateCounts => ({ built: 0, applied: 0, skipped: 0, gated: 0, failed: 0, merged: 0, ruleCalls: 0, ruleFailures: 0, ...over })
  // A step whose 32 buckets were all gated (skipUnchanged drops them): none built, 32 tried.
  const gated = progressLine('b', { type: 'step-end', step: 2, winner: null, bestSoFar: 0.969, wanted: 7, usage: usage(3000), counts: c({ skipped: 32, gated: 32 }) })
  expect(gated).toBe('[simba] b: step 3 done: step winner none, best step winner so far 0.969 (mini-batch means); 0 of 7 candidates built from 32 buckets tried (0 applied, 32 skipped by the p10/p90 gate, 0 failed); 3000 LM calls so far')
  expect(candidateCounts(c({ built: 7, applied: 7, merged: 1, skipped: 3, gated: 1 }), 6)).toBe('6 of 6 candidates built from 9 buckets tried (6 applied, 3 skipped (1 by the p10/p90 gate, 2 advice changed nothing), 0 failed), plus 1 merged candidate')
  expect(progressLine('b', { type: 'step-end', step: 0, winner: null, bestSoFar: null, wanted: 7, usage: usage(1), counts: c({ failed: 1 }) })).toContain('best step winner so far none')
  // Every bucket tried is applied, skipped or failed.
  fc.assert(
    fc.property(fc.nat(40), fc.nat(40), fc.nat(40), fc.nat(3), (applied, skipped, failed, merged) => {
      const text = candidateCounts(c({ applied: applied + merged, merged, skipped, gated: Math.floor(skipped / 2), failed, built: applied + merged }), 7)
      const tried = Number(/from (\d+) buckets? tried/.exec(text)?.[1])
      expect(tried).toBe(applied + skipped + failed)
    }),
  )
})

test('durations read as s, m and h', () => {
  expect([formatDuration(0), formatDuration(59_400), formatDuration(185_000), formatDuration(3_720_000)]).toEqual(['0s', '59s', '3m05s', '1h02m'])
  fc.assert(fc.property(fc.integer({ min: -1_000, max: 10 ** 9 }), (ms) => /^(\d+s|\d+m\d\ds|\d+h\d\dm)$/.test(formatDuration(ms))))
})

test('the reflective start in one line: cases, failures, rule calls and whether it was kept', () => {
  const start = { sourceId: 1, examples: [1, 2, 3, 4], sourceScore: 0.5, failed: 2, calls: 1 }
  expect(progressLine('b', { type: 'reflective-start', start: { ...start, score: 1, lost: 0, id: 3 }, usage: usage(9) })).toBe('[simba] b: reflective start: 2 of 4 training cases wrong (mean 0.500); rules from them (1 prompt-model call); kept as program #3 (1.000); 9 LM calls so far')
  expect(progressLine('b', { type: 'reflective-start', start: { ...start, lost: 2 }, usage: usage(9) })).toContain('not kept: 2 cases it got right were lost')
  expect(progressLine('b', { type: 'reflective-start', start: { ...start, score: 0.5, lost: 0 }, usage: usage(9) })).toContain('not kept: 0.500, no gain')
  expect(progressLine('b', { type: 'reflective-start', start: { ...start, failed: 0, calls: 0 }, usage: usage(4) })).toContain('no rules written; nothing to learn from')
  expect(progressLine('b', { type: 'reflective-start', start, usage: usage(4) })).toContain('rules from them (1 prompt-model call); its replies changed nothing')
})
