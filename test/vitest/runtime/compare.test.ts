/**
 * The verdict rules of describe.optimize: per-case status against the snapshot baseline and the
 * mean gate. Scores within 1e-9 of a boundary count as on it (float noise never flips a verdict).
 * Arbitraries draw scores on a coarse grid plus the exact boundary points, so ties, tolerance
 * edges and "just past the edge" values all occur (plain fc.double mostly yields tiny numbers).
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { DEFAULT_CASE_THRESHOLD, baselineSplit, caseStatus, gateMessage, mean } from '../../../src/vitest/runtime/compare.js'

const EPS = 1e-9
/** Scores and thresholds on a 0.05 grid over [0, 1]. */
const grid = fc.integer({ min: 0, max: 20 }).map((i) => i / 20)
const tol = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10 }).map((i) => i / 20))
/** A value at, just inside or just past the edge `x` (±EPS, ±2·EPS), or anywhere on the grid. */
const near = (x: number): fc.Arbitrary<number> => fc.oneof(grid, fc.constantFrom(x, x - EPS, x + EPS, x - 2 * EPS, x + 2 * EPS))

describe('caseStatus', () => {
  test('an errored case is an error whatever its score', () => {
    fc.assert(
      fc.property(grid, fc.option(grid, { nil: undefined }), grid, tol, (score, baseline, caseThreshold, tolerance) => {
        expect(caseStatus({ score, errored: true, baseline, caseThreshold, tolerance })).toBe('error')
      }),
    )
  })

  test('a case without a baseline is new when it reaches the threshold, failing below it', () => {
    expect(caseStatus({ score: 0.5, errored: false, baseline: undefined, caseThreshold: 1, tolerance: 0 })).toBe('failing')
    expect(caseStatus({ score: 0, errored: false, baseline: undefined, caseThreshold: 0.5, tolerance: 0.5 })).toBe('failing')
    expect(caseStatus({ score: 1, errored: false, baseline: undefined, caseThreshold: 1, tolerance: 0 })).toBe('new')
    fc.assert(
      fc.property(grid.chain((t) => fc.tuple(fc.constant(t), near(t))), tol, ([caseThreshold, score], tolerance) => {
        const s = caseStatus({ score, errored: false, baseline: undefined, caseThreshold, tolerance })
        expect(s).toBe(score >= caseThreshold - EPS ? 'new' : 'failing')
      }),
    )
  })

  test(`the case threshold defaults to ${DEFAULT_CASE_THRESHOLD}: only a perfect score passes`, () => {
    expect(DEFAULT_CASE_THRESHOLD).toBe(1)
    expect(caseStatus({ score: 1, errored: false, baseline: undefined, tolerance: 0 })).toBe('new')
    expect(caseStatus({ score: 0.99, errored: false, baseline: undefined, tolerance: 0 })).toBe('failing')
    expect(caseStatus({ score: 0.5, errored: false, baseline: undefined, tolerance: 0 })).toBe('failing')
    expect(caseStatus({ score: 0.9, errored: false, baseline: 0.9, tolerance: 0 })).toBe('known-failing')
    expect(caseStatus({ score: 1, errored: false, baseline: 1, tolerance: 0 })).toBe('pass')
    // A baseline of 0.9 never passed, so a drop from it is not a regression under the default.
    expect(caseStatus({ score: 0, errored: false, baseline: 0.9, tolerance: 0 })).toBe('known-failing')
  })

  test('known examples', () => {
    const c = { caseThreshold: 0.8, tolerance: 0.1, errored: false }
    expect(caseStatus({ ...c, score: 0.85, baseline: 0.9 })).toBe('pass') // dropped 0.05 ≤ tolerance
    expect(caseStatus({ ...c, score: 0.75, baseline: 0.9 })).toBe('regressed') // dropped 0.15 > tolerance
    expect(caseStatus({ ...c, score: 0.95, baseline: 0.9 })).toBe('improved')
    expect(caseStatus({ ...c, score: 0.9, baseline: 0.9 })).toBe('pass')
    expect(caseStatus({ ...c, score: 0.7, baseline: 0.75 })).toBe('known-failing') // baseline never passed
    expect(caseStatus({ ...c, score: 0.9, baseline: 0.75 })).toBe('improved')
    expect(caseStatus({ ...c, score: 0.75, baseline: 0.75 })).toBe('known-failing')
  })

  /** Baseline, tolerance, threshold and a score near one of the three edges that matter. */
  const withBaseline = fc
    .tuple(grid, tol)
    .chain(([caseThreshold, tolerance]) => fc.tuple(fc.constant(caseThreshold), fc.constant(tolerance), near(caseThreshold)))
    .chain(([caseThreshold, tolerance, baseline]) =>
      fc.tuple(fc.constant(caseThreshold), fc.constant(tolerance), fc.constant(baseline), fc.oneof(near(baseline - tolerance - EPS), near(baseline + EPS), near(caseThreshold - EPS))),
    )

  test('a case regresses exactly when it passed in the baseline and dropped by more than the tolerance', () => {
    fc.assert(
      fc.property(withBaseline, ([caseThreshold, tolerance, baseline, score]) => {
        const s = caseStatus({ score, errored: false, baseline, caseThreshold, tolerance })
        const passedBefore = baseline >= caseThreshold - EPS
        const droppedPastTolerance = score < baseline - tolerance - EPS
        expect(s === 'regressed').toBe(passedBefore && droppedPastTolerance)
      }),
      { numRuns: 500 },
    )
  })

  test('otherwise: improved above the baseline, known-failing below the threshold, else pass', () => {
    fc.assert(
      fc.property(withBaseline, ([caseThreshold, tolerance, baseline, score]) => {
        const s = caseStatus({ score, errored: false, baseline, caseThreshold, tolerance })
        if (s === 'regressed') return
        if (score > baseline + EPS) expect(s).toBe('improved')
        else if (score < caseThreshold - EPS) expect(s).toBe('known-failing')
        else expect(s).toBe('pass')
      }),
      { numRuns: 500 },
    )
  })

  test('a drop of exactly the tolerance is not a regression; a drop one step further is', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 20 }), fc.integer({ min: 0, max: 10 }), (b, t) => {
        const baseline = b / 20
        const tolerance = t / 20
        const at = caseStatus({ score: (b - t) / 20, errored: false, baseline, caseThreshold: 0.5, tolerance })
        expect(at).not.toBe('regressed')
        if (b - t - 1 >= 0) expect(caseStatus({ score: (b - t - 1) / 20, errored: false, baseline, caseThreshold: 0.5, tolerance })).toBe('regressed')
      }),
    )
  })
})

describe('mean', () => {
  test('is 0 for no scores and the arithmetic mean otherwise', () => {
    expect(mean([])).toBe(0)
    expect(mean([0.5])).toBe(0.5)
    expect(mean([1, 0, 0.5, 0.5])).toBe(0.5)
    expect(mean([1, 2, 3, 6])).toBe(3)
    fc.assert(
      fc.property(fc.array(grid, { minLength: 1, maxLength: 20 }), (xs) => {
        const m = mean(xs)
        expect(m).toBeGreaterThanOrEqual(Math.min(...xs) - EPS)
        expect(m).toBeLessThanOrEqual(Math.max(...xs) + EPS)
        expect(m * xs.length).toBeCloseTo(xs.reduce((a, b) => a + b, 0), 9)
      }),
    )
  })
})

describe('baselineSplit', () => {
  test('picks the split of the baseline, undefined without a baseline', () => {
    const trainset = { mean: 1, cases: { a: 1 } }
    expect(baselineSplit(undefined, 'trainset')).toBeUndefined()
    expect(baselineSplit({ trainset } as never, 'trainset')).toBe(trainset)
    expect(baselineSplit({ trainset } as never, 'devset')).toBeUndefined()
  })
})

describe('gateMessage', () => {
  const base = { block: 'routes', split: 'trainset', threshold: undefined, baseline: undefined, tolerance: 0, regressed: [] }

  test('full messages', () => {
    expect(gateMessage({ ...base, mean: 0.5, threshold: 0.8 })).toBe('[vitest-simba] block "routes": mean 0.500 on trainset is below the threshold 0.8')
    expect(gateMessage({ ...base, mean: 0.5, threshold: 0.8, baseline: 0.75, tolerance: 0.1, regressed: [{ name: 'x', score: 0, baseline: 1 }] })).toBe(
      '[vitest-simba] block "routes": mean 0.500 on trainset is below the threshold 0.8; mean 0.500 on trainset dropped below the baseline 0.750 (tolerance 0.1). Regressed cases: "x" 1 → 0',
    )
    expect(gateMessage({ ...base, mean: 0.6, baseline: 0.75, tolerance: 0.1 })).toBe('[vitest-simba] block "routes": mean 0.600 on trainset dropped below the baseline 0.750 (tolerance 0.1)')
    expect(gateMessage({ ...base, mean: 0 })).toBeUndefined()
  })

  test('fails on the threshold exactly when the mean is below it (within 1e-9)', () => {
    fc.assert(
      fc.property(grid.chain((t) => fc.tuple(fc.constant(t), near(t - EPS))), ([threshold, m]) => {
        const msg = gateMessage({ ...base, mean: m, threshold })
        expect(msg === undefined).toBe(!(m < threshold - EPS))
        if (msg !== undefined) expect(msg).toContain(`is below the threshold ${threshold}`)
      }),
    )
  })

  test('fails on the baseline exactly when the mean dropped by more than the tolerance (within 1e-9)', () => {
    const arb = fc.tuple(grid, tol).chain(([b, t]) => fc.tuple(fc.constant(b), fc.constant(t), near(b - t - EPS)))
    fc.assert(
      fc.property(arb, ([baseline, tolerance, m]) => {
        const msg = gateMessage({ ...base, mean: m, baseline, tolerance })
        expect(msg === undefined).toBe(!(m < baseline - tolerance - EPS))
        if (msg !== undefined) expect(msg).toContain(`dropped below the baseline ${baseline.toFixed(3)} (tolerance ${tolerance})`)
      }),
      { numRuns: 300 },
    )
  })
})
