import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createPoissonRng } from '../../src/internal/rng/poisson.js'
import { createRng } from '../../src/internal/rng/prng.js'
import { buildBuckets } from '../../src/optimizer/simba/buckets.js'
import { dropPositions, withoutPositions } from '../../src/optimizer/simba/demo-drop.js'
import { forecastSimba } from '../../src/optimizer/simba/forecast.js'
import { softmaxPick, softmaxWeights, topKPlusBaseline } from '../../src/optimizer/simba/sampling.js'
import { bestIndices, finalIndices } from '../../src/optimizer/simba/select.js'
import { firstArgMax, percentile, roundHalfEven } from '../../src/optimizer/simba/stats.js'

const anyFinite = fc.double({ noNaN: true, noDefaultInfinity: true })

describe('softmax sampling', () => {
  it('gives a valid distribution for any finite scores, including huge ones', () => {
    fc.assert(
      fc.property(fc.array(anyFinite, { minLength: 1, maxLength: 20 }), fc.double({ min: 1e-6, max: 100, noNaN: true }), (scores, tau) => {
        const w = softmaxWeights(scores, tau)
        expect(w.every((x) => Number.isFinite(x) && x >= 0 && x <= 1)).toBe(true)
        expect(Math.abs(w.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9)
        const best = firstArgMax(scores)
        expect(w[best]).toBe(Math.max(...w))
      }),
    )
  })

  it('matches the plain softmax when it does not overflow', () => {
    const scores = [0, 0.8, 0.5]
    const plain = scores.map((s) => Math.exp(s / 0.2))
    const total = plain.reduce((a, b) => a + b, 0)
    softmaxWeights(scores, 0.2).forEach((w, i) => expect(w).toBeCloseTo((plain[i] as number) / total, 12))
  })

  it('a temperature of zero, below zero or not finite acts as the smallest positive one', () => {
    const scores = [0, Number.MIN_VALUE, -1]
    const smallest = softmaxWeights(scores, Number.MIN_VALUE)
    expect(smallest[0]).toBeCloseTo(Math.exp(-1) / (1 + Math.exp(-1)), 12) // one MIN_VALUE apart: still ordered, not all-or-nothing
    for (const tau of [0, -0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(softmaxWeights(scores, tau), String(tau)).toEqual(smallest)
  })

  it('picks only listed ids, one draw each, deterministic per seed', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(anyFinite, { minLength: 1, maxLength: 8 }), (seed, scores) => {
        const ids = scores.map((_, i) => i)
        const a = createRng(seed)
        const b = createRng(seed)
        const pa = Array.from({ length: 5 }, () => softmaxPick(a, ids, (i) => scores[i] as number, 0.2))
        const pb = Array.from({ length: 5 }, () => softmaxPick(b, ids, (i) => scores[i] as number, 0.2))
        expect(pa).toEqual(pb)
        expect(pa.every((x) => ids.includes(x))).toBe(true)
      }),
    )
  })

  it('topKPlusBaseline keeps the k best (stable) and forces id 0 into the last slot', () => {
    const avg = (id: number): number => [0, 0.9, 0.5, 0.9, 0.1][id] as number
    expect(topKPlusBaseline([0, 1, 2, 3, 4], avg, 2)).toEqual([1, 0])
    expect(topKPlusBaseline([0, 1, 2, 3, 4], avg, 3)).toEqual([1, 3, 0])
    expect(topKPlusBaseline([0], avg, 6)).toEqual([0])
    expect(topKPlusBaseline([0, 1, 2, 3, 4], (id) => (id === 0 ? 5 : 0), 2)).toEqual([0, 1])
  })
})

describe('percentile', () => {
  const reference = (values: number[], q: number): number => {
    const v = [...values].sort((a, b) => a - b)
    const h = ((v.length - 1) * q) / 100
    const lo = Math.floor(h)
    const hi = Math.min(lo + 1, v.length - 1)
    return (v[lo] as number) + (h - lo) * ((v[hi] as number) - (v[lo] as number))
  }
  it('matches linear interpolation between closest ranks', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 100 }), (values, q) => {
        const got = percentile(values, q)
        expect(got).toBeCloseTo(reference(values, q), 6)
        expect(got >= Math.min(...values) && got <= Math.max(...values)).toBe(true)
      }),
    )
    expect(percentile([1, 2, 3, 4], 10)).toBeCloseTo(1.3)
    expect(percentile([0, 0, 1], 90)).toBeCloseTo(0.8)
  })
})

describe('buckets', () => {
  it('each bucket is sorted best-first and buckets are sorted by key descending', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 8 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 48, maxLength: 48 }), (n, b, pool) => {
        const outs = Array.from({ length: n * b }, (_, i) => ({ score: pool[i] as number, slot: Math.floor(i / b), j: i % b }))
        const buckets = buildBuckets(outs, b, n)
        expect(buckets.length).toBe(b)
        expect(new Set(buckets.map((x) => x.exampleIndex)).size).toBe(b)
        for (const bucket of buckets) {
          expect(bucket.runs.every((r) => r.j === bucket.exampleIndex)).toBe(true)
          for (let i = 1; i < bucket.runs.length; i++) {
            const prev = bucket.runs[i - 1]!
            const cur = bucket.runs[i]!
            expect(prev.score > cur.score || (prev.score === cur.score && prev.slot < cur.slot)).toBe(true)
          }
        }
        for (let i = 1; i < buckets.length; i++) {
          const [a, c] = [buckets[i - 1]!.key, buckets[i]!.key]
          const cmp = a[0] !== c[0] ? a[0] - c[0] : a[1] !== c[1] ? a[1] - c[1] : a[2] - c[2]
          expect(cmp > 0 || (cmp === 0 && buckets[i - 1]!.exampleIndex < buckets[i]!.exampleIndex)).toBe(true)
        }
      }),
    )
  })
})

describe('demo dropping, final selection, forecast', () => {
  it('drops at least one position at capacity and never more than D', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer({ min: 0, max: 10 }), { maxLength: 4 }), fc.integer({ min: -1, max: 6 }), (seed, counts, maxDemos) => {
        const pos = dropPositions(counts, maxDemos, createRng(seed), createPoissonRng(seed))
        const d = counts.length ? Math.max(...counts) : 0
        const cap = maxDemos > 0 ? maxDemos : 3
        expect(pos.length).toBeLessThanOrEqual(d)
        expect(pos.every((p) => p >= 0 && p < d)).toBe(true)
        if (d >= cap) expect(pos.length).toBeGreaterThanOrEqual(1)
      }),
    )
    expect(withoutPositions(['a', 'b', 'c'], [1, 7])).toEqual(['a', 'c'])
  })

  it('final indices use banker’s rounding', () => {
    expect([0.5, 1.5, 2.5, 4.5, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, 3])
    expect(finalIndices(9, 7)).toEqual([0, 1, 3, 4, 5, 7, 8])
    expect(finalIndices(4, 7)).toEqual([0, 1, 2, 3])
    expect(finalIndices(2, 7)).toEqual([0, 1])
    expect(finalIndices(1, 7)).toEqual([0])
    expect(finalIndices(10, 7)).toEqual([0, 2, 3, 4, 6, 8, 9])
  })

  it("finalists 'best': the baseline plus the slots − 1 best winners, later ones first on ties; fewer than 2 slots or winners give the baseline alone", () => {
    const s = [0, 0.5, 0.9, 0.7, 0.9]
    expect(bestIndices(5, 2, (i) => s[i]!)).toEqual([0, 4]) // two slots: the baseline and the best (the later of a tie)
    expect(bestIndices(5, 9, (i) => s[i]!)).toEqual([0, 1, 2, 3, 4])
    expect(bestIndices(5, 3, () => 1)).toEqual([0, 3, 4]) // all tied: the latest winners
    expect(bestIndices(9, 2, () => 1)).toEqual([0, 8])
    for (const slots of [1, 0, -1]) expect(bestIndices(5, slots, (i) => s[i]!), String(slots)).toEqual([0])
    for (const winners of [1, 0]) expect(bestIndices(winners, 4, () => 1)).toEqual([0])
  })

  it('forecast follows the worked example of docs/simba.md (T 200, B 32, N 6, S 8)', () => {
    const f = forecastSimba({ trainsetSize: 200, bsize: 32, numCandidates: 6, maxSteps: 8, predictorsPerRun: 1, faithful: true })
    expect(f.rolloutRunsPerStep).toBe(192)
    expect(f.candidateRunsPerStep).toBe(224)
    expect(f.reflectionsPerStep).toBe(3.5)
    expect(f.finalCalls).toBe(1400)
    expect(f.totalCalls).toBe(8 * (416 + 3.5) + 1400)
    expect(forecastSimba({ trainsetSize: 200, bsize: 32, numCandidates: 6, maxSteps: 8, predictorsPerRun: 1 }).baselineCalls).toBe(0)
    expect(forecastSimba({ trainsetSize: 200, bsize: 32, numCandidates: 6, maxSteps: 8, predictorsPerRun: 1, faithful: false }).baselineCalls).toBe(32)
  })

  it('forecast counts consolidation calls (one per predictor and step) with consolidateAdvice, priced as prompt-model calls', () => {
    const base = { trainsetSize: 200, bsize: 32, numCandidates: 6, maxSteps: 8, predictorsPerRun: 2, prices: { inputPer1M: 0, outputPer1M: 0 }, promptPrices: { inputPer1M: 1_000_000, outputPer1M: 0 }, tokensPerCall: { prompt: 1, completion: 0 } }
    const off = forecastSimba(base)
    const on = forecastSimba({ ...base, consolidateAdvice: true })
    expect(off.consolidationsPerStep).toBe(0)
    expect(on.consolidationsPerStep).toBe(2)
    expect(on.totalCalls - off.totalCalls).toBe(8 * 2)
    expect((on.cost ?? 0) - (off.cost ?? 0)).toBeCloseTo(8 * 2)
  })
})
