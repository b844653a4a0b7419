/**
 * Verdicts of blocks run with trials (`trials: k`): each case status with its boundaries (within
 * 1e-9, as for single runs), the block's mean verdict and the failure message naming cases.
 */
import { describe, expect, test } from 'vitest'
import { trialCaseStatus, trialGateMessage, trialMeanVerdict } from '../../../src/vitest/runtime/compare.js'

const EPS = 1e-9
const five = (x: number) => [x, x, x, x, x]
/** p of an exact one-sided permutation test where all 5 `now` trials are below all 5 `base` ones: 1 / C(10, 5). */
const P_ALL_BELOW = 1 / 252

describe('trialCaseStatus', () => {
  const status = (base: number[] | undefined, now: number[], extra: { tolerance?: number; caseThreshold?: number; errored?: boolean } = {}) =>
    trialCaseStatus({ base, now, errored: extra.errored ?? false, tolerance: extra.tolerance ?? 0, ...(extra.caseThreshold !== undefined ? { caseThreshold: extra.caseThreshold } : {}) })

  test('an errored case is an error, whatever its scores', () => {
    expect(status(five(1), five(1), { errored: true })).toEqual({ status: 'error', p: null })
    expect(status(undefined, five(0), { errored: true })).toEqual({ status: 'error', p: null })
  })

  test('without baseline trials: new, failing or flaky, with no p-value', () => {
    for (const base of [undefined, []]) {
      expect(status(base, five(1))).toEqual({ status: 'new', p: null })
      expect(status(base, five(0))).toEqual({ status: 'failing', p: null })
      expect(status(base, [1, 0, 1])).toEqual({ status: 'flaky', p: null })
    }
    // On the case threshold (within 1e-9) is passing; the default threshold is 1.
    expect(status(undefined, five(0.5), { caseThreshold: 0.5 + EPS })).toEqual({ status: 'new', p: null })
    expect(status(undefined, five(0.5), { caseThreshold: 0.5 + 3 * EPS })).toEqual({ status: 'failing', p: null })
    expect(status(undefined, five(0.5))).toEqual({ status: 'failing', p: null })
  })

  test('regressed only when the drop is both larger than the tolerance (within 1e-9) and significant', () => {
    expect(status(five(1), five(0))).toEqual({ status: 'regressed', p: P_ALL_BELOW })
    expect(status(five(1), five(0), { tolerance: 0.99 }).status).toBe('regressed')
    expect(status(five(1), five(0), { tolerance: 1 - EPS })).toEqual({ status: 'known-failing', p: P_ALL_BELOW }) // drop 1 is on the tolerance
    expect(status(five(1), five(0), { tolerance: 1 })).toEqual({ status: 'known-failing', p: P_ALL_BELOW })
    expect(status(five(1), five(0.5), { tolerance: 0.7 }).status).toBe('known-failing') // a drop of 0.5 is within 0.7
    expect(status([1, 1], [0, 0]).status).toBe('known-failing') // p = 1/6: too few trials to call it a regression
  })

  test('improved only on a significant rise above 1e-9; flaky, pass and known-failing otherwise', () => {
    expect(status(five(0), five(1))).toEqual({ status: 'improved', p: 1 })
    expect(status(five(0.5), five(0.5 + 5e-10)).status).toBe('known-failing') // a rise within 1e-9 is no rise
    expect(status(five(0.5), five(0.5 + 3 * EPS)).status).toBe('improved')
    expect(status(five(1), [1, 1, 0, 1, 1])).toMatchObject({ status: 'flaky' })
    expect(status([1, 0, 1, 0, 1], [1, 0, 1, 0, 1])).toMatchObject({ status: 'flaky' })
    expect(status(five(1), five(1))).toEqual({ status: 'pass', p: 1 })
    expect(status(five(0.5), five(0.5), { caseThreshold: 0.5 + EPS })).toEqual({ status: 'pass', p: 1 })
    expect(status(five(0.5), five(0.5), { caseThreshold: 0.5 + 3 * EPS })).toEqual({ status: 'known-failing', p: 1 })
  })
})

describe('trialMeanVerdict', () => {
  test('regressed only when the mean drop is larger than the tolerance (within 1e-9) and significant', () => {
    const cases = [{ name: 'a', base: five(1), now: five(0) }]
    const v = trialMeanVerdict(cases, 0)
    expect(v.regressed).toBe(true)
    expect(v.drop).toBe(1)
    expect(v.p).toBeLessThan(0.025)
    expect(trialMeanVerdict(cases, 0.99).regressed).toBe(true)
    expect(trialMeanVerdict(cases, 1 - EPS).regressed).toBe(false)
    expect(trialMeanVerdict(cases, 1).regressed).toBe(false)
  })
})

describe('trialGateMessage', () => {
  const args = { block: 'b', split: 'trainset', mean: 0.5, half: 0.05, threshold: undefined, baseline: undefined, tolerance: 0, verdict: undefined, regressed: [] }

  test('below the threshold (within 1e-9) fails, naming the mean, its noise interval and the threshold', () => {
    expect(trialGateMessage({ ...args, threshold: 0.9 })).toBe('[vitest-simba] block "b": mean 0.500 ± 0.050 on trainset is below the threshold 0.9')
    expect(trialGateMessage({ ...args, threshold: 0.5 + EPS })).toBeUndefined()
    expect(trialGateMessage({ ...args, threshold: 0.5 })).toBeUndefined()
  })

  test('a significant drop below the baseline fails only with a baseline and a regressed verdict', () => {
    const verdict = { regressed: true, drop: 0.3, p: 0.001 }
    expect(trialGateMessage({ ...args, baseline: 0.8, verdict })).toBe(
      '[vitest-simba] block "b": mean 0.500 ± 0.050 on trainset dropped below the baseline 0.800 by 0.300, more than the tolerance 0 and more than sampling noise explains (permutation test p = 0.0010 < 0.025)',
    )
    expect(trialGateMessage({ ...args, baseline: 0.8, verdict: { ...verdict, regressed: false } })).toBeUndefined()
    expect(trialGateMessage({ ...args, baseline: 0.8 })).toBeUndefined()
    expect(trialGateMessage({ ...args, verdict })).toBeUndefined()
  })

  test('names the regressed cases, then the other cases that dropped most (largest first, ties by name, at most 10)', () => {
    const fail = { ...args, threshold: 0.9 }
    const head = '[vitest-simba] block "b": mean 0.500 ± 0.050 on trainset is below the threshold 0.9'
    const regressed = [{ name: 'x', score: 0, baseline: 1, split: 'devset' }]
    const cases = [
      { name: 'x', score: 0, baseline: 1 }, // same name in another split: a different case
      { name: 'x', score: 0, baseline: 1, split: 'devset' }, // the regressed one: not repeated
      { name: 'b', score: 0.5, baseline: 1 },
      { name: 'a', score: 0.5, baseline: 1 },
      { name: 'tiny', score: 0, baseline: EPS }, // a drop within 1e-9 is no drop
      { name: 'up', score: 1, baseline: 0.5 },
    ]
    expect(trialGateMessage({ ...fail, regressed, cases })).toBe(
      `${head}. Regressed cases: devset "x" 1.000 → 0.000. Other cases that dropped: "x" 1.000 → 0.000, "a" 1.000 → 0.500, "b" 1.000 → 0.500`,
    )
    expect(trialGateMessage({ ...fail, cases: cases.slice(2) })).toBe(`${head}. Cases that dropped most: "a" 1.000 → 0.500, "b" 1.000 → 0.500`)
    expect(trialGateMessage({ ...fail, regressed })).toBe(`${head}. Regressed cases: devset "x" 1.000 → 0.000`)
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `c${String(i).padStart(2, '0')}`, score: 0, baseline: (i + 1) / 12 }))
    const listed = trialGateMessage({ ...fail, cases: many })!.split('Cases that dropped most: ')[1]!.split(', ')
    expect(listed).toHaveLength(10)
    expect(listed[0]).toBe('"c11" 1.000 → 0.000')
  })
})
