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
