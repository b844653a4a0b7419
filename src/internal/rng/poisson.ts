import { createRng, type Rng } from './prng.js'

/** A seeded stream of Poisson draws (SIMBA's second generator, standing in for numpy's `default_rng(seed).poisson`; only the demo-drop count uses it). */
export interface PoissonRng {
  /** One Poisson(λ) draw; λ = 0 returns 0 without consuming state. */
  poisson(lambda: number): number
}

/** Knuth's multiplication method; exact and fast for the small λ SIMBA uses. */
function knuth(rng: Rng, lambda: number): number {
  const limit = Math.exp(-lambda)
  let k = 0
  let p = rng.random()
  while (p > limit) {
    k++
    p *= rng.random()
  }
  return k
}

/**
 * Creates a Poisson stream from `seed`, independent of `createRng(seed)`'s main stream.
 * λ above 30 is split into chunks of at most 30 (a sum of Poissons is Poisson), so
 * `exp(-λ)` never underflows.
 * @example createPoissonRng(0).poisson(0.5)
 */
export function createPoissonRng(seed: number | string = 0): PoissonRng {
  const rng = createRng(seed, 1)
  return {
    poisson(lambda: number): number {
      if (!Number.isFinite(lambda) || lambda < 0) throw new RangeError(`[vitest-simba] poisson needs a finite λ >= 0, got ${lambda}`)
      let left = lambda
      let total = 0
      while (left > 0) {
        const part = Math.min(left, 30)
        total += knuth(rng, part)
        left -= part
      }
      return total
    },
  }
}
