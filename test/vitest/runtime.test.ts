import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { parseBlockOptions } from '../../src/vitest/runtime/block-options.js'
import { caseStatus, gateMessage } from '../../src/vitest/runtime/compare.js'
import { isFactory, toCases } from '../../src/vitest/runtime/cases.js'
import { progressLine } from '../../src/vitest/runtime/progress.js'

describe('block options', () => {
  const ok = { program: () => null, trainset: [{ q: 1 }], metric: () => 1 }
  test('errors name the block and the option', () => {
    expect(parseBlockOptions('b', ok)).toEqual(ok)
    expect(() => parseBlockOptions('routes', { ...ok, trainset: [] })).toThrow(/describe\.optimize\("routes"\): invalid options:\n {2}option "trainset": needs at least one case/)
    expect(() => parseBlockOptions('routes', { ...ok, tolerence: 1 })).toThrow(/option "\(options\)": .*tolerence|tolerence/)
    expect(() => parseBlockOptions('routes', { ...ok, metric: 3 })).toThrow(/option "metric": must be a function/)
    expect(() => parseBlockOptions('routes', { ...ok, tolerance: -1 })).toThrow(/option "tolerance"/)
  })
})

describe('cases', () => {
  test('factories have no parameters; plain functions declare their inputs', () => {
    expect(isFactory(() => null as never)).toBe(true)
    expect(isFactory(async (_inputs: unknown) => ({}))).toBe(false)
  })
  test('names come from ids and are made unique', () => {
    const cases = toCases('b', 'trainset', [{ id: 'a', q: 1 }, { id: 'a', q: 2 }, { q: 'hello' }], () => ['q'])
    expect(cases.map((c) => c.name)).toEqual(['a', 'a (2)', 'hello'])
    // A generated " (2)" must not collide with a case really named "a (2)" (scores would overwrite each other).
    const names = toCases('b', 'trainset', [{ id: 'a', q: 1 }, { id: 'a', q: 2 }, { id: 'a (2)', q: 3 }, { id: 'a (2)', q: 4 }], () => ['q']).map((c) => c.name)
    expect(new Set(names).size).toBe(4)
    expect(names.slice(0, 2)).toEqual(['a', 'a (2)'])
    expect(() => toCases('b', 'devset', [{ x: 1 }], () => ['q'])).toThrow(/describe\.optimize\("b"\): devset case #0 has no input "q"/)
  })
})

describe('case comparison', () => {
  test('known-failing, regressed, improved, new', () => {
    const c = { caseThreshold: 1, tolerance: 0, errored: false }
    expect(caseStatus({ ...c, score: 0, baseline: 0 })).toBe('known-failing')
    expect(caseStatus({ ...c, score: 0, baseline: 1 })).toBe('regressed')
    expect(caseStatus({ ...c, score: 1, baseline: 0 })).toBe('improved')
    expect(caseStatus({ ...c, score: 1, baseline: 1 })).toBe('pass')
    expect(caseStatus({ ...c, score: 1, baseline: undefined })).toBe('new')
    expect(caseStatus({ ...c, score: 1, baseline: 1, errored: true })).toBe('error')
  })
  test('a case can only regress when it passed in the baseline and dropped by more than the tolerance', () => {
    const score = fc.double({ min: 0, max: 1, noNaN: true })
    fc.assert(
      fc.property(score, score, fc.double({ min: 0, max: 0.5, noNaN: true }), (now, base, tol) => {
        const s = caseStatus({ score: now, baseline: base, caseThreshold: 0.5, tolerance: tol, errored: false })
        expect(s === 'regressed').toBe(base >= 0.5 - 1e-9 && now < base - tol - 1e-9)
      }),
    )
  })
  test('the gate names the threshold, the baseline and the moved cases', () => {
    expect(gateMessage({ block: 'b', split: 'devset', mean: 0.9, threshold: 0.8, baseline: 0.9, tolerance: 0, regressed: [] })).toBeUndefined()
    const m = gateMessage({ block: 'b', split: 'devset', mean: 0.5, threshold: 0.8, baseline: 0.75, tolerance: 0.1, regressed: [{ name: 'x', score: 0, baseline: 1 }] })
    expect(m).toContain('mean 0.500 on devset is below the threshold 0.8')
    expect(m).toContain('dropped below the baseline 0.750 (tolerance 0.1)')
    expect(m).toContain('"x" 1 → 0')
  })
  test('progress lines are short and name the block', () => {
    expect(progressLine('b', { type: 'rollouts-done', step: 0, mean: 0.5, p10: 0, p90: 1, errors: 0 })).toBe('[simba] b: step 1 rollouts mean 0.500 (p10 0.00, p90 1.00)')
  })
})
