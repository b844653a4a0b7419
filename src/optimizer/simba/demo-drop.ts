/**
 * Random demo dropping before each strategy (ported from DSPy `dspy/teleprompt/simba.py`, MIT).
 * Draw order: one Poisson draw, then `k` × `randrange(D)`.
 */
import type { PoissonRng } from '../../internal/rng/poisson.js'
import type { Rng } from '../../internal/rng/prng.js'

/**
 * Chooses the demo positions to drop from every predictor, given each predictor's demo count.
 * Positions may repeat (drawn with replacement). Returns the distinct positions.
 * @example dropPositions([4, 2], 4, rng, poisson) // e.g. [1]
 */
export function dropPositions(demoCounts: readonly number[], maxDemos: number, rng: Rng, poisson: PoissonRng): number[] {
  const cap = maxDemos > 0 ? maxDemos : 3
  const d = demoCounts.length === 0 ? 0 : Math.max(...demoCounts)
  let k = Math.max(poisson.poisson(d / cap), d >= cap ? 1 : 0)
  k = Math.min(k, d)
  const drop = new Set<number>()
  for (let i = 0; i < k; i++) drop.add(rng.randrange(d))
  return [...drop]
}

/** Returns `demos` without the given positions (positions past the end are no-ops). */
export function withoutPositions<T>(demos: readonly T[], positions: readonly number[]): T[] {
  if (positions.length === 0) return [...demos]
  const drop = new Set(positions)
  return demos.filter((_, i) => !drop.has(i))
}
