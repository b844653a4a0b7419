/**
 * Warm start with labelled demos (`labeledDemos`, improved mode): the demos it picks, where they
 * go, what an early stop returns, and that SIMBA's demo dropping and cap leave them alone.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Example } from '../../src/core/example/example.js'
import { Predict } from '../../src/core/predict/predict.js'
import type { BuiltCandidate } from '../../src/optimizer/simba/candidates.js'
import { Pool } from '../../src/optimizer/simba/pool.js'
import { simba } from '../../src/optimizer/simba/simba.js'
import { mergeCandidates } from '../../src/optimizer/simba/step.js'
import type { SimbaEvent } from '../../src/optimizer/simba/types.js'
import { labeledDemoOrder, warmStart } from '../../src/optimizer/simba/warm-start.js'
import { exactMetric, TwoStage, uppercaseLM, uppercaseSet } from './fixtures.js'

/** `n` examples `{text, label}` with labels cycling over `labels`. */
const labelled = (n: number, labels: readonly string[]): Example[] => Array.from({ length: n }, (_, i) => new Example({ text: `case ${i}`, label: labels[i % labels.length] as string }, ['text'], `c${i}`))

describe('labelled demo order', () => {
  it('shows every label value first, then follows the shuffled order; same seed, same demos', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 50 }), fc.nat(1000), (n, labelCount, k, seed) => {
        const labels = Array.from({ length: labelCount }, (_, i) => `l${i}`)
        const set = labelled(n, labels)
        const order = labeledDemoOrder(set, k, seed)
        expect(order).toEqual(labeledDemoOrder(set, k, seed))
        expect(order.length).toBe(Math.min(k, n))
        expect(new Set(order).size).toBe(order.length)
        const distinct = Math.min(labelCount, n)
        const head = order.slice(0, Math.min(k, distinct)).map((i) => set[i]?.data.label)
        expect(new Set(head).size).toBe(head.length)
      }),
    )
  })
})

describe('warm start', () => {
  it('gives labelled demos only to predictors that produce a labelled field', () => {
    const set = uppercaseSet(10)
    const warm = warmStart(new TwoStage(), set, 4, 0)
    const byName = new Map(warm?.program.namedPredictors())
    expect(byName.get('extract')?.demos).toEqual([])
    expect(byName.get('label')?.demos).toHaveLength(4)
    for (const d of byName.get('label')?.demos ?? []) expect(Object.keys(d).sort()).toEqual(['answer', 'word'])
    expect(warm?.demoKeys.size).toBe(4)
    expect(warmStart(new TwoStage(), set, 0, 0)).toBeUndefined()
  })

  it('is what a stop before any call returns and what the first best event announces', async () => {
    const events: SimbaEvent[] = []
    const r = await simba(new Predict('word -> answer'), { trainset: uppercaseSet(12), metric: exactMetric, lm: uppercaseLM(), mode: 'improved', bsize: 6, numCandidates: 2, maxSteps: 2, labeledDemos: 3, budget: { maxCalls: 0 }, onProgress: (e) => events.push(e) })
    expect(r.stoppedReason).toBe('budget:maxCalls')
    expect(r.program.demos).toHaveLength(3)
    const first = events.find((e) => e.type === 'best')
    expect(first?.type === 'best' && first.usage.calls).toBe(0)
    expect(first?.type === 'best' && first.program).toEqual(r.program.state())
  })

  it('never drops a labelled demo: candidates built from the warm start drop nothing while SIMBA holds no demo of its own', async () => {
    const events: SimbaEvent[] = []
    await simba(new Predict('word -> answer'), { trainset: uppercaseSet(16), metric: exactMetric, lm: uppercaseLM(), mode: 'improved', bsize: 8, numCandidates: 3, maxSteps: 1, maxDemos: 1, labeledDemos: 5, reflectiveStart: false, seed: 3, onProgress: (e) => events.push(e) })
    const fromWarm = events.flatMap((e) => (e.type === 'candidate' && e.phase === 'built' && e.candidate.sourceId === 1 ? [e.candidate] : []))
    expect(fromWarm.length).toBeGreaterThan(0)
    for (const c of fromWarm) expect(c.droppedDemos).toEqual([])
  })

  it('merges keep every labelled demo; only the other demos count toward maxDemos', () => {
    const fixed = [{ word: 'a', answer: 'A' }, { word: 'b', answer: 'B' }, { word: 'c', answer: 'C' }]
    const keys = new Set(fixed.map((d) => JSON.stringify(d)))
    const pool = new Pool(new Predict('word -> answer'))
    const winner = new Predict('word -> answer')
    winner.demos = [...fixed]
    const other = new Predict('word -> answer')
    other.demos = [{ word: 'x', answer: 'X', augmented: true }, { word: 'y', answer: 'Y', augmented: true }]
    const as = (program: Predict): BuiltCandidate<Predict> => ({ program, runs: [], log: { id: 1, sourceId: 0, bucketExample: 0, strategy: 'append_a_demo', outcome: 'applied', droppedDemos: [] } })
    const merged = mergeCandidates(pool, as(winner), [as(other)], 1, undefined, (d) => keys.has(JSON.stringify(d)))
    expect(merged?.demos).toEqual([...fixed, { word: 'y', answer: 'Y', augmented: true }])
  })

  it('is off in faithful mode and with labeledDemos: 0', async () => {
    for (const extra of [{ mode: 'faithful' as const }, { mode: 'improved' as const, labeledDemos: 0 }]) {
      const r = await simba(new Predict('word -> answer'), { trainset: uppercaseSet(8), metric: exactMetric, lm: uppercaseLM(), bsize: 4, numCandidates: 2, maxSteps: 1, budget: { maxCalls: 0 }, ...extra })
      expect(r.program.demos).toEqual([])
    }
  })
})
