/** Which step winners become finalists (ported from DSPy `dspy/teleprompt/simba.py`, MIT). */
import { roundHalfEven } from './stats.js'

/**
 * Evenly spaced winner indices with Python's banker's rounding, deduplicated; always includes 0
 * and the last winner. `winnerCount` includes the baseline (M = winnerCount − 1), K = slots.
 * @example finalIndices(9, 7) // [0, 1, 3, 4, 5, 7, 8]
 */
export function finalIndices(winnerCount: number, slots: number): number[] {
  const m = winnerCount - 1
  if (m < 1 || slots < 2) return [0]
  const out: number[] = []
  for (let i = 0; i < slots; i++) out.push(roundHalfEven((i * m) / (slots - 1)))
  return [...new Set(out)]
}

/**
 * The baseline plus the `slots − 1` winners with the best mini-batch scores (`scoreOf(winnerIndex)`),
 * later winners first on ties (they carry more of the run's lessons), in winner order.
 * @example bestIndices([0, 0.5, 0.9, 0.7], 3, (i) => s[i]) // [0, 2, 3]
 */
export function bestIndices(winnerCount: number, slots: number, scoreOf: (winnerIndex: number) => number): number[] {
  if (winnerCount < 2 || slots < 2) return [0]
  const rest = Array.from({ length: winnerCount - 1 }, (_, i) => i + 1).sort((a, b) => scoreOf(b) - scoreOf(a) || b - a)
  return [0, ...rest.slice(0, slots - 1).sort((a, b) => a - b)]
}
