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
import { createRng } from '../../src/internal/rng/prng.js'
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

describe('labelled demo cues', () => {
  /** One-label examples with the given inputs. */
  const one = (inputs: Array<Record<string, unknown>>): Example[] => inputs.map((x, i) => new Example<Record<string, unknown>>({ ...x, label: 'L' }, Object.keys(x), `e${i}`))
  /** The first pick over many seeds is never one of `bad` (ties go by the shuffled order, so a wrong count shows on some seed). */
  const neverPicks = (set: Example[], bad: number[]) => {
    for (let seed = 0; seed < 30; seed++) expect(bad, `seed ${seed}`).not.toContain(labeledDemoOrder(set, 1, seed)[0])
  }

  it('counts a word by the share of its examples with this label, and only when two examples of the label hold it', () => {
    // "pair" is in two examples (a cue); "solo" in one (no cue).
    neverPicks(one([{ text: 'solo' }, { text: 'pair' }, { text: 'pair' }]), [0])
    // Four words seen once each count nothing against two shared ones.
    neverPicks(one([{ text: 'alpha beta gamma delta' }, { text: 'shared one' }, { text: 'shared one' }]), [0])
    // A word common to both labels counts little: "special" (only A) beats "common" (A twice, B eight times).
    const mixed = [
      ...['common', 'special', 'common', 'special'].map((t, i) => new Example({ text: t, label: 'A' }, ['text'], `a${i}`)),
      ...Array.from({ length: 8 }, (_, i) => new Example({ text: 'common', label: 'B' }, ['text'], `b${i}`)),
    ]
    for (let seed = 0; seed < 30; seed++) {
      const a = labeledDemoOrder(mixed, 2, seed).filter((i) => mixed[i]?.data.label === 'A')
      expect([1, 3], `seed ${seed}`).toContain(a[0])
    }
  })

  it('reads words lower-cased, across input fields, and from non-string inputs as JSON', () => {
    neverPicks(one([{ text: 'here' }, { text: 'GIFT CARD NOW' }, { text: 'gift card' }, { text: 'now here' }]), [0, 2, 3])
    // Lower case, not upper case: "straße" and "strasse" are two words (upper-cased both are STRASSE).
    neverPicks(one([{ text: 'straße' }, { text: 'strasse' }, { text: 'pair' }, { text: 'pair' }]), [0, 1])
    // Fields are joined with a space: "pa" + "ir" is not "pair".
    neverPicks(one([{ a: 'pa', b: 'ir' }, { a: 'pair', b: 'zz' }, { a: 'qq', b: 'pair' }]), [0])
    // An object input shows its keys and values, not "[object Object]".
    neverPicks(one([{ meta: { a: 'solo' } }, { meta: { b: 'pair' } }, { meta: { b: 'pair' } }]), [0])
    // A string input is read as it is (not JSON-escaped: "\nab" is the word "ab", not "nab").
    neverPicks(one([{ text: 'zz\nab' }, { text: 'yy nab' }, { text: 'xx nab' }]), [0])
    // Inputs without any word show no cue.
    neverPicks(one([{ text: '' }, { text: '!!' }, { text: 'pair x' }, { text: 'pair y' }]), [0, 1])
  })

  it('breaks ties by the shuffled order', () => {
    const set = one([{ text: 'a' }, { text: 'b' }, { text: 'c' }, { text: 'd' }])
    for (let seed = 0; seed < 10; seed++) expect(labeledDemoOrder(set, 4, seed)).toEqual(createRng(seed, 2).shuffle([0, 1, 2, 3]))
  })
})

describe('warm start demos', () => {
  it('is undefined when no predictor produces a labelled field', () => {
    const set = Array.from({ length: 4 }, (_, i) => new Example({ word: `w${i}`, label: 'x' }, ['word'], `c${i}`))
    expect(warmStart(new Predict('word -> answer'), set, 2, 0)).toBeUndefined()
  })

  it('serves a predictor with one labelled output among several, from examples of which only some are labelled', () => {
    const set = [new Example({ word: 'a', answer: 'A' }, ['word'], 'c0'), new Example({ word: 'b' }, ['word'], 'c1')]
    const warm = warmStart(new Predict('word, hint -> answer, note'), set, 2, 0)
    const demos = warm?.program.namedPredictors()[0]?.[1].demos ?? []
    expect(demos).toHaveLength(2)
    // Each demo holds only the fields its example has.
    expect(demos.map((d) => Object.keys(d).sort().join(',')).sort()).toEqual(['answer,word', 'word'])
  })

  it('adds no demo the predictor already has, and is undefined when it has them all', () => {
    const set = uppercaseSet(3)
    const all = set.map((ex) => ({ ...ex.data }))
    expect(warmStart(new Predict('word -> answer', { demos: all }), set, 3, 0)).toBeUndefined()
    const warm = warmStart(new Predict('word -> answer', { demos: [all[0]!] }), set, 3, 0)
    expect(warm?.program.demos).toHaveLength(3)
    expect(warm?.demoKeys.size).toBe(2)
  })

  it('merges: a labelled demo newer than the own demos takes no slot of the cap', () => {
    const fixed = [{ word: 'a', answer: 'A' }, { word: 'b', answer: 'B' }, { word: 'c', answer: 'C' }]
    const keys = new Set(fixed.map((d) => JSON.stringify(d)))
    const pool = new Pool(new Predict('word -> answer'))
    const x = { word: 'x', answer: 'X', augmented: true }
    const y = { word: 'y', answer: 'Y', augmented: true }
    const winner = new Predict('word -> answer', { demos: [x, ...fixed] })
    const other = new Predict('word -> answer', { demos: [y] })
    const as = (program: Predict): BuiltCandidate<Predict> => ({ program, runs: [], log: { id: 1, sourceId: 0, bucketExample: 0, strategy: 'append_a_demo', outcome: 'applied', droppedDemos: [] } })
    expect(mergeCandidates(pool, as(winner), [as(other)], 2, undefined, (d) => keys.has(JSON.stringify(d)))?.demos).toEqual([x, ...fixed, y])
  })
})
