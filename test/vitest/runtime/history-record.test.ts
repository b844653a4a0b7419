import { describe, expect, test } from 'vitest'
import { parseHistoryLine, serializeRecord } from '../../../src/history/format.js'
import { toCases } from '../../../src/vitest/runtime/cases.js'
import { historyRecord } from '../../../src/vitest/runtime/history.js'
import { blockScores } from '../../../src/vitest/runtime/scores.js'
import type { SimbaBlockMeta } from '../../../src/vitest/shared.js'

const keys = () => ['q']
const train = toCases('b', 'trainset', [{ q: 'a' }, { q: 'b' }, { q: 'c' }], keys)
const dev = toCases('b', 'devset', [{ q: 'a' }, { q: 'e' }], keys)

const meta = (over: Partial<SimbaBlockMeta> = {}): SimbaBlockMeta => ({
  kind: 'block',
  block: 'b',
  file: 'a.test.ts',
  split: 'devset',
  cases: 2,
  mean: 0.5,
  baseline: null,
  regressed: [],
  improved: [],
  calls: { total: 5, live: 1, replayed: 4 },
  tokens: 12,
  cost: 0.0001234567,
  optimized: false,
  snapshot: 'unchanged',
  ...over,
})

describe('a block run as a history record', () => {
  test('per case: passed (score at the case threshold) 1, else 0, errors null; means per split; usage; reads back equal', () => {
    const cases = [...train, ...dev]
    const { outcomes, baseline } = blockScores(cases, [{ score: 1 }, { score: 0.5 }, { score: 0, error: 'boom' }, { score: 0.8 }, { score: 1 }])
    const scores = { trainset: baseline.trainset, ...(baseline.devset ? { devset: baseline.devset } : {}) }
    const common = { block: 'b', file: 'a.test.ts', project: '', date: '2026-12-06T23:00:00.000Z', commit: null, cases }
    const r = historyRecord({ ...common, run: { outcomes, scores, meta: meta(), trials: 1 }, caseThreshold: undefined })
    expect(r.cases.trainset).toEqual({ a: 1, b: 0, c: null })
    expect(r.cases.devset).toEqual({ a: 0, e: 1 })
    expect(r).toMatchObject({ split: 'devset', means: { trainset: 0.5, devset: 0.9 }, mode: 'regression', calls: { total: 5, live: 1, replayed: 4 }, tokens: 12, cost: 0.000123 })
    expect(r).not.toHaveProperty('trials')
    // A lower case threshold passes 0.8 (and 0.5 stays a fail).
    expect(historyRecord({ ...common, run: { outcomes, scores, meta: meta(), trials: 1 }, caseThreshold: 0.75 }).cases).toEqual({ trainset: { a: 1, b: 0, c: null }, devset: { a: 1, e: 1 } })
    expect(parseHistoryLine(serializeRecord(r).trim())).toEqual({ record: r })
  })

  test('with trials a case records its share of passing trials', () => {
    const { outcomes, baseline } = blockScores(train, [
      { score: 2 / 3, trials: [{ score: 1 }, { score: 1 }, { score: 0 }] },
      { score: 1, trials: [{ score: 1 }, { score: 1 }, { score: 1 }] },
      { score: 0, trials: [{ score: 0 }, { score: 0 }, { score: 0 }] },
    ])
    const r = historyRecord({ block: 'b', file: 'a.test.ts', project: 'p', date: '2026-12-06T23:00:00.000Z', commit: 'f'.repeat(40), cases: train, run: { outcomes, scores: { trainset: baseline.trainset }, meta: meta({ split: 'trainset', optimized: true }), trials: 3 }, caseThreshold: undefined })
    expect(r.cases).toEqual({ trainset: { a: 0.666667, b: 1, c: 0 } })
    expect(r).toMatchObject({ trials: 3, mode: 'optimize', split: 'trainset', project: 'p' })
    expect(r.means).toEqual({ trainset: 0.555556 })
  })
})
