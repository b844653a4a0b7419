import { describe, expect, test } from 'vitest'
import type { BlockSnapshot } from '../../../src/snapshot/types.js'
import { toCases } from '../../../src/vitest/runtime/cases.js'
import { blockScores, caseKey, rekeyBaseline, shownValue, storedMean } from '../../../src/vitest/runtime/scores.js'

const KEY = `sk-${'a1B2c3D4'.repeat(4)}`
const keys = () => ['q']
const train = toCases('b', 'trainset', [{ q: 'a' }, { q: 'b' }, { q: 'c' }, { q: 'd' }], keys)
const dev = toCases('b', 'devset', [{ q: 'a' }, { q: 'e' }], keys)

describe('block scores', () => {
  test('without a devset the trainset gates: its mean over every case, a missing result scoring 0', () => {
    const { outcomes, baseline } = blockScores(train, [{ score: 1 }, { score: 0.5 }, undefined, { score: 0.25 }])
    expect(baseline).toEqual({ split: 'trainset', mean: 0.4375, trainset: { mean: 0.4375, cases: { a: 1, b: 0.5, c: 0, d: 0.25 } } })
    expect(baseline).not.toHaveProperty('devset')
    expect(outcomes.get(caseKey(train[2]!))).toEqual({ score: 0 })
    expect([...outcomes.keys()]).toEqual(train.map(caseKey))
  })

  test('with a devset the devset gates; equal names in both splits stay apart', () => {
    const cases = [...train, ...dev]
    const { outcomes, baseline } = blockScores(cases, [{ score: 1 }, { score: 1 }, { score: 1 }, { score: 1 }, { score: 0 }, { score: 0.5 }])
    expect(baseline).toEqual({ split: 'devset', mean: 0.25, trainset: { mean: 1, cases: { a: 1, b: 1, c: 1, d: 1 } }, devset: { mean: 0.25, cases: { a: 0, e: 0.5 } } })
    expect(outcomes.get(caseKey({ split: 'trainset', name: 'a' }))?.score).toBe(1)
    expect(outcomes.get(caseKey({ split: 'devset', name: 'a' }))?.score).toBe(0)
    expect(outcomes.size).toBe(6)
  })

  test('results are matched to cases by position, also when the splits are interleaved', () => {
    const cases = [train[0]!, dev[1]!, train[1]!]
    const { baseline } = blockScores(cases, [{ score: 0.1 }, { score: 0.2 }, { score: 0.3 }])
    expect(baseline.trainset.cases).toEqual({ a: 0.1, b: 0.3 })
    expect(baseline.devset?.cases).toEqual({ e: 0.2 })
  })

  test('a block with only devset cases has an empty trainset and is gated on the devset', () => {
    expect(blockScores(dev, [{ score: 1 }, { score: 0 }]).baseline).toEqual({ split: 'devset', mean: 0.5, trainset: { mean: 0, cases: {} }, devset: { mean: 0.5, cases: { a: 1, e: 0 } } })
  })

  test('an outcome carries error, feedback and prediction only when present, secrets masked', () => {
    const { outcomes } = blockScores(train.slice(0, 3), [
      { score: 0, error: `boom ${KEY}`, prediction: undefined },
      { score: 0.5, feedback: `saw ${KEY}`, prediction: { answer: 'x' } },
      { score: 1, prediction: 'plain' },
    ])
    expect(outcomes.get(caseKey(train[0]!))).toEqual({ score: 0, error: 'boom [masked OpenAI-style key (sk-…)]' })
    expect(outcomes.get(caseKey(train[1]!))).toEqual({ score: 0.5, feedback: 'saw [masked OpenAI-style key (sk-…)]', prediction: '{"answer":"x"}' })
    expect(outcomes.get(caseKey(train[2]!))).toEqual({ score: 1, prediction: 'plain' })
    // Absent parts are absent, not present as undefined (the reporter copies the outcome as it is).
    expect(Object.keys(outcomes.get(caseKey(train[0]!))!)).toEqual(['score', 'error'])
    expect(blockScores(train.slice(0, 1), [{ score: 0, error: '', feedback: '' }]).outcomes.get(caseKey(train[0]!))).toEqual({ score: 0, error: '', feedback: '' })
  })

  test('shownValue: strings as they are, other values as JSON, cut at the limit with an ellipsis, secrets masked', () => {
    expect(shownValue(undefined)).toBeUndefined()
    expect(shownValue('text')).toBe('text')
    expect(shownValue(null)).toBe('null')
    expect(shownValue({ a: [1] })).toBe('{"a":[1]}')
    expect(shownValue(() => 1)).toBe('() => 1')
    const cyclic: Record<string, unknown> = {}
    cyclic['self'] = cyclic
    expect(shownValue(cyclic)).toBe('[object Object]')
    expect(shownValue('x'.repeat(500))).toBe('x'.repeat(500))
    expect(shownValue('x'.repeat(501))).toBe(`${'x'.repeat(500)}…`)
    expect(shownValue('abcdef', 3)).toBe('abc…')
    expect(shownValue({ k: KEY })).toBe('{"k":"[masked OpenAI-style key (sk-…)]"}')
  })
})

describe('stored baseline', () => {
  const stored = (over: Partial<BlockSnapshot>): BlockSnapshot => ({
    program: null,
    baseline: { split: 'devset', mean: 0.5, trainset: { mean: 0.75, cases: { a: 1, 'b (2)': 0.5, gone: 1 } }, devset: { mean: 0.5, cases: { a: 0.5 } } },
    provenance: { model: 'm', optimizer: 'baseline', library: 'l', date: 'd' },
    promptHash: null,
    source: null,
    ...over,
  })

  test('a current file is used as it is', () => {
    const s = stored({})
    expect(rekeyBaseline(s, train)).toBe(s.baseline)
  })

  test('a migrated file is re-keyed from the old position-based names to the content names, per split, means kept', () => {
    const cases = toCases('b', 'trainset', [{ q: 'a', k: 1 }, { q: 'b', k: 2 }, { q: 'b', k: 3 }], () => ['q', 'k'])
    const devCases = toCases('b', 'devset', [{ q: 'a', k: 9 }], () => ['q', 'k'])
    const all = [...cases, ...devCases]
    const out = rekeyBaseline(stored({ legacyCaseNames: true }), all)
    // trainset legacy names: a, b, b (2); the stored file had scores for "a" and "b (2)".
    expect(out).toEqual({
      split: 'devset',
      mean: 0.5,
      trainset: { mean: 0.75, cases: { [cases[0]!.name]: 1, [cases[2]!.name]: 0.5 } },
      devset: { mean: 0.5, cases: { [devCases[0]!.name]: 0.5 } },
    })
    // A case with no stored score has no entry (it is new), not an undefined one.
    expect(Object.keys(out.trainset.cases)).toEqual([cases[0]!.name, cases[2]!.name])
    const noDev = rekeyBaseline(stored({ legacyCaseNames: true, baseline: { split: 'trainset', mean: 1, trainset: { mean: 1, cases: { a: 1 } } } }), all)
    expect(noDev).toEqual({ split: 'trainset', mean: 1, trainset: { mean: 1, cases: { [cases[0]!.name]: 1 } } })
    expect(noDev).not.toHaveProperty('devset')
  })

  test("the gate's stored mean is the old baseline's mean on the gating split, or null", () => {
    const b = stored({}).baseline
    expect(storedMean(b, 'trainset')).toBe(0.75)
    expect(storedMean(b, 'devset')).toBe(0.5)
    expect(storedMean({ ...b, devset: undefined }, 'devset')).toBeNull()
    expect(storedMean(undefined, 'trainset')).toBeNull()
    expect(storedMean({ ...b, trainset: { mean: 0, cases: {} } }, 'trainset')).toBe(0)
  })
})
