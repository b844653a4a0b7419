/**
 * Program sampling for SIMBA (ported from DSPy `dspy/teleprompt/simba.py`, MIT): the k best pool
 * programs plus the baseline, one picked by a softmax over their average scores.
 * Departure in both modes: the softmax subtracts the maximum score before `exp`, so any finite
 * scores give a valid distribution (DSPy's weights overflow and it crashes for score/τ > ~709).
 * The probabilities are mathematically the same as DSPy's. The one case where DSPy's sampling
 * differs is kept by default (`faithful: true`): when every `exp(score/τ)` underflows to 0 (all
 * scores below about −149 at τ = 0.2) DSPy picks uniformly (`choice`); `faithful: false` keeps the
 * softmax there.
 */
import type { Rng } from '../../internal/rng/prng.js'

/**
 * Ids of the k best programs by average score (stable: ties keep id order), with the baseline
 * (id 0) forced into the last slot when it is missing.
 * @example topKPlusBaseline([0, 1, 2], (id) => [0, 0.9, 0.5][id]!, 2) // [1, 0]
 */
export function topKPlusBaseline(ids: readonly number[], avg: (id: number) => number, k: number): number[] {
  const sorted = [...ids].sort((a, b) => avg(b) - avg(a))
  const top = sorted.slice(0, Math.max(0, k))
  if (top.length > 0 && !top.includes(0)) top[top.length - 1] = 0
  return [...new Set(top)]
}

/** Softmax probabilities of `scores / τ` with max-subtraction; uniform when τ or scores are degenerate. */
export function softmaxWeights(scores: readonly number[], temperature: number): number[] {
  if (scores.length === 0) return []
  const finite = scores.map((s) => (Number.isFinite(s) ? s : s > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE))
  const max = Math.max(...finite)
  const t = temperature > 0 && Number.isFinite(temperature) ? temperature : Number.MIN_VALUE
  const w = finite.map((s) => {
    const z = (s - max) / t
    return Number.isNaN(z) ? 1 : Math.exp(z)
  })
  const total = w.reduce((a, b) => a + b, 0)
  if (!(total > 0) || !Number.isFinite(total)) return scores.map(() => 1 / scores.length)
  return w.map((x) => x / total)
}

/** True when DSPy's unnormalised weights `exp(score/τ)` all underflow to 0 (its uniform fallback). */
export function allWeightsUnderflow(scores: readonly number[], temperature: number): boolean {
  return scores.reduce((sum, s) => sum + Math.exp(s / temperature), 0) <= 0
}

/**
 * Draws one id with probability ∝ exp(avg(id)/τ) using exactly one draw: `rng.choices`, or (faithful
 * mode, all weights underflowing) DSPy's uniform `rng.choice`.
 * @example softmaxPick(rng, [0, 3], (id) => scores[id], 0.2)
 */
export function softmaxPick(rng: Rng, ids: readonly number[], avg: (id: number) => number, temperature: number, faithful = false): number {
  if (ids.length === 0) throw new RangeError('[vitest-simba] softmaxPick needs at least one program id')
  const scores = ids.map(avg)
  if (faithful && allWeightsUnderflow(scores, temperature)) return rng.choice(ids)
  return rng.choices(ids, softmaxWeights(scores, temperature))
}
