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
    // A typo in the optimizer settings is an error naming it, not a setting silently ignored.
    expect(() => parseBlockOptions('routes', { ...ok, optimizer: { maxStep: 3 } as never })).toThrow(/option "optimizer\.maxStep": Unrecognized key/)
    expect(() => parseBlockOptions('routes', { ...ok, optimizer: { maxSteps: 3, seed: 1, faithful: false, dedupeAdvice: true } })).not.toThrow()
  })
})

describe('cases', () => {
  test('factories have no parameters; plain functions declare their inputs', () => {
    expect(isFactory(() => null as never)).toBe(true)
    expect(isFactory(async (_inputs: unknown) => ({}))).toBe(false)
  })
  test('a case is named by its content: explicit id, else its short single input, else a digest of its inputs', () => {
    const cases = toCases('b', 'trainset', [{ id: 'a', q: 1 }, { name: 'named', q: 2 }, { q: 'hello' }, { q: 'x'.repeat(80) }, { q: 'two  spaces' }], () => ['q'])
    expect(cases.map((c) => c.name)).toEqual(['a', 'named', 'hello', `${'x'.repeat(40)}… #${cases[3]!.name.slice(-8)}`, `two spaces #${cases[4]!.name.slice(-8)}`])
    expect(cases[3]!.name).toMatch(/… #[0-9a-f]{8}$/)
    // Two inputs: always a digest, also of the second input.
    const two = toCases('b', 'trainset', [{ q: 'same', r: 1 }, { q: 'same', r: 2 }], () => ['q', 'r']).map((c) => c.name)
    expect(two[0]).toMatch(/^same #[0-9a-f]{8}$/)
    expect(two[0]).not.toBe(two[1])
    expect(() => toCases('b', 'devset', [{ x: 1 }], () => ['q'])).toThrow(/describe\.optimize\("b"\): devset case #0 has no input "q"/)
  })

  test('duplicate ids and identical inputs are errors naming both rows and the fix', () => {
    expect(() => toCases('b', 'trainset', [{ id: 'a', q: 1 }, { id: 'b', q: 2 }, { id: 'a', q: 3 }], () => ['q'])).toThrow(/trainset rows #0 and #2 have the same id "a"/)
    expect(() => toCases('b', 'devset', [{ q: 'hi', label: 1 }, { q: 'other' }, { q: 'hi', label: 2 }], () => ['q'])).toThrow(
      /devset rows #0 and #2 have identical inputs \("hi"\).*Give them ids/,
    )
  })

  test('re-ordering, inserting or removing rows never renames another case (property)', () => {
    const row = fc.record({ q: fc.string({ maxLength: 90 }), r: fc.option(fc.integer(), { nil: undefined }) })
    fc.assert(
      fc.property(fc.uniqueArray(row, { minLength: 1, maxLength: 12, selector: (x) => JSON.stringify([x.q, x.r ?? null]) }), fc.integer({ min: 0, max: 1000 }), (rows, seed) => {
        const keys = () => ['q', 'r']
        const named = (rs: typeof rows) => new Map(toCases('b', 'trainset', rs.map((x) => ({ q: x.q, r: x.r ?? null })), keys).map((c) => [JSON.stringify(c.example.inputs()), c.name]))
        const all = named(rows)
        expect(new Set(all.values()).size).toBe(rows.length)
        const shuffled = [...rows].sort((a, b) => ((JSON.stringify(a).length * 31 + seed) % 7) - ((JSON.stringify(b).length * 31 + seed) % 7)).slice(seed % rows.length)
        for (const [inputs, name] of named(shuffled)) expect(all.get(inputs)).toBe(name)
      }),
    )
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
