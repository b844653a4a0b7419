import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createPoissonRng } from '../../../src/internal/rng/poisson.js'
import { createRng } from '../../../src/internal/rng/prng.js'

describe('createRng', () => {
  it('is deterministic per seed and differs across seeds and streams', () => {
    const a = createRng(7)
    const b = createRng(7)
    const xs = Array.from({ length: 5 }, () => a.random())
    expect(Array.from({ length: 5 }, () => b.random())).toEqual(xs)
    expect(createRng(8).random()).not.toBe(xs[0])
    expect(createRng(7, 1).random()).not.toBe(xs[0])
  })

  it('random() stays in [0, 1) and randrange in [0, n)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const r = createRng(seed)
        for (let i = 0; i < 20; i++) {
          const x = r.random()
          expect(x >= 0 && x < 1).toBe(true)
          const k = r.randrange(n)
          expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true)
        }
      }),
    )
  })

  it('shuffle is a permutation; choices respects zero weights', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer(), { maxLength: 50 }), (seed, arr) => {
        const out = createRng(seed).shuffle([...arr])
        expect([...out].sort()).toEqual([...arr].sort())
      }),
    )
    const r = createRng(1)
    for (let i = 0; i < 200; i++) expect(r.choices(['a', 'b', 'c'], [0, 1, 0])).toBe('b')
    expect(() => r.choices(['a'], [0])).toThrow(/finite/)
    expect(() => r.randrange(0)).toThrow(/n >= 1/)
  })

  it('choices consumes exactly one random() per pick', () => {
    const a = createRng(3)
    const b = createRng(3)
    a.choices([1, 2, 3], [1, 1, 1])
    b.random()
    expect(a.random()).toBe(b.random())
  })
})

describe('createPoissonRng', () => {
  it('λ = 0 gives 0 and consumes nothing; mean is close to λ', () => {
    const p = createPoissonRng(5)
    const q = createPoissonRng(5)
    expect(p.poisson(0)).toBe(0)
    expect(p.poisson(2)).toBe(q.poisson(2))
    const r = createPoissonRng(9)
    for (const lambda of [0.5, 3, 45]) {
      let sum = 0
      for (let i = 0; i < 4000; i++) sum += r.poisson(lambda)
      expect(Math.abs(sum / 4000 - lambda)).toBeLessThan(0.1 * lambda + 0.05)
    }
    expect(() => r.poisson(-1)).toThrow(/λ/)
  })
})
