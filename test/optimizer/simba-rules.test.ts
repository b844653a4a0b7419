/**
 * The rules of SIMBA's pure building blocks, checked against independent oracles: program
 * sampling (softmax over average scores, DSPy's uniform fallback in faithful mode), buckets
 * (keys recomputed from the raw rollouts), demo dropping (one Poisson draw, then k × randrange(D))
 * and the evenly spaced final selection. Scores are drawn on a grid of exact binary fractions, so
 * ties and equal keys occur and sums are exact.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createPoissonRng } from '../../src/internal/rng/poisson.js'
import { createRng } from '../../src/internal/rng/prng.js'
import { buildBuckets, compareBucketKeys, type Bucket } from '../../src/optimizer/simba/buckets.js'
import { dropPositions, withoutPositions } from '../../src/optimizer/simba/demo-drop.js'
import { allWeightsUnderflow, softmaxPick, softmaxWeights, topKPlusBaseline } from '../../src/optimizer/simba/sampling.js'
import { finalIndices } from '../../src/optimizer/simba/select.js'
import { roundHalfEven } from '../../src/optimizer/simba/stats.js'

/** Scores k/8 in [0, 1]: exact in binary, so sums and means have no rounding error. */
const eighth = fc.integer({ min: 0, max: 8 }).map((k) => k / 8)

describe('softmaxWeights', () => {
  it('no scores, no weights; one score gets all the weight', () => {
    expect(softmaxWeights([], 0.2)).toEqual([])
    expect(softmaxWeights([-5], 0.2)).toEqual([1])
  })

  it('equal scores share the weight equally at any temperature', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), eighth, fc.constantFrom(0.05, 0.2, 1, 10), (n, s, tau) => {
        expect(softmaxWeights(Array(n).fill(s), tau)).toEqual(Array(n).fill(1 / n))
      }),
    )
  })

  it('+Infinity takes all the weight, -Infinity and NaN none', () => {
    expect(softmaxWeights([Infinity, 0, 1], 0.2)).toEqual([1, 0, 0])
    expect(softmaxWeights([-Infinity, 0], 0.2)).toEqual([0, 1])
    expect(softmaxWeights([NaN, 0], 0.2)).toEqual([0, 1])
    expect(softmaxWeights([Infinity, Infinity, 0], 0.2)).toEqual([0.5, 0.5, 0])
    expect(softmaxWeights([-Infinity, -Infinity], 0.2)).toEqual([0.5, 0.5])
  })

  it('a zero, negative or non-finite temperature is greedy: the best scores share all the weight', () => {
    for (const tau of [0, -1, NaN, Infinity, -Infinity]) {
      expect(softmaxWeights([0, 1, 0.5], tau)).toEqual([0, 1, 0])
      expect(softmaxWeights([1, 0, 1], tau)).toEqual([0.5, 0, 0.5])
    }
  })

  it('weights are exp(score/τ) normalised: ratios follow score differences', () => {
    fc.assert(
      fc.property(fc.array(eighth, { minLength: 2, maxLength: 6 }), fc.constantFrom(0.1, 0.2, 0.5, 1), (scores, tau) => {
        const w = softmaxWeights(scores, tau)
        expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
        for (let i = 1; i < scores.length; i++) {
          expect(w[i]! / w[0]!).toBeCloseTo(Math.exp((scores[i]! - scores[0]!) / tau), 9)
        }
      }),
    )
  })
})

describe('allWeightsUnderflow (DSPy uniform fallback trigger)', () => {
  it('true exactly when every exp(score/τ) is 0 in double precision', () => {
    expect(allWeightsUnderflow([-150], 0.2)).toBe(true) // exp(-750) = 0
    expect(allWeightsUnderflow([-149], 0.2)).toBe(false) // exp(-745) ≈ 5e-324
    expect(allWeightsUnderflow([-200, -300], 0.2)).toBe(true)
    expect(allWeightsUnderflow([-200, 0], 0.2)).toBe(false)
    expect(allWeightsUnderflow([0.5], 0.2)).toBe(false)
    expect(allWeightsUnderflow([-Infinity], 0.2)).toBe(true)
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -400, max: 10 }), { minLength: 1, maxLength: 6 }), (scores) => {
        expect(allWeightsUnderflow(scores, 0.2)).toBe(scores.every((s) => Math.exp(s / 0.2) === 0))
      }),
    )
  })
})

describe('softmaxPick', () => {
  const underflowing = [-1000, -1000, -2000]

  it('needs at least one id', () => {
    expect(() => softmaxPick(createRng(1), [], () => 0, 0.2)).toThrow(new RangeError('[vitest-simba] softmaxPick needs at least one program id'))
  })

  it('is one rng.choices draw over the softmax weights (default and non-faithful mode)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(eighth, { minLength: 1, maxLength: 6 }), fc.boolean(), (seed, scores, explicit) => {
        const ids = scores.map((_, i) => i * 10)
        const avg = (id: number): number => scores[id / 10]!
        const a = createRng(seed)
        const b = createRng(seed)
        const got = explicit ? softmaxPick(a, ids, avg, 0.2, false) : softmaxPick(a, ids, avg, 0.2)
        expect(got).toBe(b.choices(ids, softmaxWeights(scores, 0.2)))
        expect(a.random()).toBe(b.random()) // same number of draws consumed
      }),
    )
  })

  it('by default keeps the softmax when all weights underflow: the far worse program is never picked', () => {
    const seen = new Set<number>()
    for (let seed = 0; seed < 200; seed++) seen.add(softmaxPick(createRng(seed), [0, 1, 2], (id) => underflowing[id]!, 0.2))
    expect([...seen].sort()).toEqual([0, 1])
  })

  it('faithful mode falls back to a uniform rng.choice when all weights underflow (as DSPy does)', () => {
    const seen = new Set<number>()
    for (let seed = 0; seed < 200; seed++) {
      const a = createRng(seed)
      const b = createRng(seed)
      const got = softmaxPick(a, [0, 1, 2], (id) => underflowing[id]!, 0.2, true)
      expect(got).toBe(b.choice([0, 1, 2]))
      seen.add(got)
    }
    expect([...seen].sort()).toEqual([0, 1, 2])
    // Without underflow faithful mode is the softmax draw too.
    expect(softmaxPick(createRng(3), [0, 1], (id) => [0, 1][id]!, 0.2, true)).toBe(createRng(3).choices([0, 1], softmaxWeights([0, 1], 0.2)))
  })
})

describe('topKPlusBaseline', () => {
  it('k ≤ 0 keeps nothing; ties keep id order; the baseline replaces the last slot when missing', () => {
    const avg = (id: number): number => [0.5, 0.5, 0.5, 0.9][id]!
    expect(topKPlusBaseline([0, 1, 2, 3], avg, 0)).toEqual([])
    expect(topKPlusBaseline([0, 1, 2, 3], avg, -2)).toEqual([])
    expect(topKPlusBaseline([0, 1, 2, 3], avg, 1)).toEqual([0])
    expect(topKPlusBaseline([0, 1, 2, 3], avg, 2)).toEqual([3, 0])
    expect(topKPlusBaseline([3, 2, 1, 0], avg, 3)).toEqual([3, 2, 0])
    expect(topKPlusBaseline([0, 1, 2, 3], avg, 10)).toEqual([3, 0, 1, 2])
  })

  it('always k ids (or all), distinct, containing the baseline, the rest the best by score', () => {
    fc.assert(
      fc.property(fc.array(eighth, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 10 }), (scores, k) => {
        const ids = scores.map((_, i) => i)
        const top = topKPlusBaseline(ids, (id) => scores[id]!, k)
        expect(top.length).toBe(Math.min(k, ids.length))
        expect(new Set(top).size).toBe(top.length)
        expect(top).toContain(0)
        const others = top.filter((id) => id !== 0)
        const worstKept = Math.min(...others.map((id) => scores[id]!))
        const left = ids.filter((id) => id !== 0 && !top.includes(id))
        if (others.length > 0) for (const id of left) expect(scores[id]!).toBeLessThanOrEqual(worstKept)
      }),
    )
  })
})

describe('buckets', () => {
  /** Oracle: [max − min, max, max − mean] of the raw scores, computed without sorting. */
  const oracleKey = (scores: number[]): [number, number, number] => {
    if (scores.length === 0) return [0, 0, 0]
    const max = Math.max(...scores)
    const min = Math.min(...scores)
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length
    return [max - min, max, max - mean]
  }
  const lexDesc = (a: number[], b: number[]): number => (a[0]! !== b[0]! ? b[0]! - a[0]! : a[1]! !== b[1]! ? b[1]! - a[1]! : b[2]! - a[2]!)

  it('known example: keys, bucket order and best-first runs', () => {
    // B = 2 examples, 3 slots, model-major: outs[m·B + j].
    const outs = [0.5, 1, 0, 1, 1, 0].map((score, i) => ({ score, slot: Math.floor(i / 2) }))
    const buckets = buildBuckets(outs, 2, 3)
    expect(buckets.map((b) => b.exampleIndex)).toEqual([0, 1])
    expect(buckets[0]!.key).toEqual([1, 1, 0.5]) // example 0: 0.5, 0, 1
    expect(buckets[0]!.runs.map((r) => [r.score, r.slot])).toEqual([[1, 2], [0.5, 0], [0, 1]])
    expect(buckets[1]!.key).toEqual([1, 1, 1 - 2 / 3]) // example 1: 1, 1, 0
    expect(buckets[1]!.runs.map((r) => [r.score, r.slot])).toEqual([[1, 0], [1, 1], [0, 2]])
  })

  it('with no slots every bucket is empty with key [0, 0, 0]', () => {
    expect(buildBuckets([], 2, 0).map((b) => [b.exampleIndex, b.runs.length, b.key])).toEqual([[0, 0, [0, 0, 0]], [1, 0, [0, 0, 0]]])
    expect(buildBuckets([], 0, 3)).toEqual([])
  })

  it('every key equals the oracle over that example’s rollouts, and buckets are ordered by it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.array(eighth, { minLength: 30, maxLength: 30 }), (slots, batch, pool) => {
        const outs = Array.from({ length: slots * batch }, (_, i) => ({ score: pool[i]!, j: i % batch }))
        const buckets = buildBuckets(outs, batch, slots)
        const expected = Array.from({ length: batch }, (_, j) => ({ j, key: oracleKey(outs.filter((o) => o.j === j).map((o) => o.score)) }))
        expected.sort((a, b) => lexDesc(a.key, b.key) || a.j - b.j)
        expect(buckets.map((b) => b.exampleIndex)).toEqual(expected.map((e) => e.j))
        expect(buckets.map((b) => b.key)).toEqual(expected.map((e) => e.key))
      }),
    )
  })

  it('compareBucketKeys puts the larger key first, lexicographically, 0 for equal keys', () => {
    const b = (key: [number, number, number]): Bucket<{ score: number }> => ({ exampleIndex: 0, runs: [], key })
    expect(compareBucketKeys(b([1, 0, 0]), b([0, 1, 1]))).toBeLessThan(0)
    expect(compareBucketKeys(b([0, 1, 1]), b([1, 0, 0]))).toBeGreaterThan(0)
    expect(compareBucketKeys(b([0.5, 1, 0]), b([0.5, 0.5, 1]))).toBeLessThan(0)
    expect(compareBucketKeys(b([0.5, 1, 0.25]), b([0.5, 1, 0.5]))).toBeGreaterThan(0)
    expect(compareBucketKeys(b([0.5, 1, 0.5]), b([0.5, 1, 0.5]))).toBe(0)
  })
})

describe('dropPositions', () => {
  /** Reference: k = min(max(Poisson(D / cap), D ≥ cap ? 1 : 0), D), then k × randrange(D), distinct. */
  const reference = (counts: number[], maxDemos: number, seed: number): number[] => {
    const cap = maxDemos > 0 ? maxDemos : 3
    const d = counts.length === 0 ? 0 : Math.max(...counts)
    const rng = createRng(seed)
    const k = Math.min(Math.max(createPoissonRng(seed).poisson(d / cap), d >= cap ? 1 : 0), d)
    const out: number[] = []
    for (let i = 0; i < k; i++) {
      const p = rng.randrange(d)
      if (!out.includes(p)) out.push(p)
    }
    return out
  }

  it('follows the draw rule for any demo counts and maxDemos (≤ 0 means 3)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 4 }), fc.integer({ min: -1, max: 6 }), (seed, counts, maxDemos) => {
        expect(dropPositions(counts, maxDemos, createRng(seed), createPoissonRng(seed))).toEqual(reference(counts, maxDemos, seed))
      }),
      { numRuns: 300 },
    )
  })

  it('drops at least one demo at capacity (default cap 3), none when there are no demos', () => {
    for (let seed = 0; seed < 50; seed++) {
      expect(dropPositions([3, 1], 0, createRng(seed), createPoissonRng(seed)).length).toBeGreaterThanOrEqual(1)
      expect(dropPositions([2, 2], 2, createRng(seed), createPoissonRng(seed)).length).toBeGreaterThanOrEqual(1)
      expect(dropPositions([], 3, createRng(seed), createPoissonRng(seed))).toEqual([])
      expect(dropPositions([0, 0], 3, createRng(seed), createPoissonRng(seed))).toEqual([])
    }
  })

  it('below capacity a zero Poisson draw drops nothing, and the demos stay as they were', () => {
    const demos = ['a', 'b']
    let kept = 0
    for (let seed = 0; seed < 100; seed++) {
      const pos = dropPositions([2], 4, createRng(seed), createPoissonRng(seed))
      if (createPoissonRng(seed).poisson(0.5) === 0) {
        expect(pos).toEqual([])
        expect(withoutPositions(demos, pos)).toEqual(['a', 'b'])
        kept++
      }
    }
    expect(kept).toBeGreaterThan(0)
  })
})

describe('withoutPositions', () => {
  it('removes exactly the listed positions (repeats and out-of-range ones are no-ops), never mutating', () => {
    const demos = ['a', 'b', 'c', 'd']
    const none = withoutPositions(demos, [])
    expect(none).toEqual(demos)
    expect(none).not.toBe(demos)
    expect(withoutPositions(demos, [0, 0, 2])).toEqual(['b', 'd'])
    expect(withoutPositions(demos, [9, -1])).toEqual(demos)
    expect(demos).toEqual(['a', 'b', 'c', 'd'])
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 8 }), fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 5 }), (items, positions) => {
        expect(withoutPositions(items, positions)).toEqual(items.filter((_, i) => !positions.includes(i)))
      }),
    )
  })
})

describe('finalIndices', () => {
  it('degenerate cases pick only the baseline', () => {
    expect(finalIndices(0, 7)).toEqual([0])
    expect(finalIndices(1, 7)).toEqual([0])
    expect(finalIndices(5, 1)).toEqual([0])
    expect(finalIndices(5, 0)).toEqual([0])
    expect(finalIndices(5, 2)).toEqual([0, 4])
    expect(finalIndices(2, 2)).toEqual([0, 1])
  })

  it('are round-half-even(i·M/(K−1)) for i < K, distinct, ascending, from 0 to the last winner', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 2, max: 12 }), (winners, slots) => {
        const m = winners - 1
        const expected = [...new Set(Array.from({ length: slots }, (_, i) => roundHalfEven((i * m) / (slots - 1))))]
        const got = finalIndices(winners, slots)
        expect(got).toEqual(expected)
        expect(got[0]).toBe(0)
        expect(got.at(-1)).toBe(m)
        expect(got.length).toBe(Math.min(slots, winners))
        for (let i = 1; i < got.length; i++) expect(got[i]!).toBeGreaterThan(got[i - 1]!)
      }),
    )
  })
})
