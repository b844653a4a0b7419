/** Small numeric helpers for SIMBA: numpy's percentile, mean, first argmax, Python's round(). */

/**
 * Percentile q (0–100) with linear interpolation between closest ranks (numpy's default).
 * @example percentile([1, 2, 3, 4], 10) // 1.3
 */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('[vitest-simba] percentile of an empty list')
  const v = [...values].sort((a, b) => a - b)
  const h = ((v.length - 1) * Math.min(100, Math.max(0, q))) / 100
  const lo = Math.floor(h)
  const a = v[lo] as number
  const b = v[Math.min(lo + 1, v.length - 1)] as number
  return a === b ? a : a + (h - lo) * (b - a)
}

/** Arithmetic mean, 0 for an empty list. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length
}

/** Index of the first maximum (ties favour the earliest), -1 for an empty list. */
export function firstArgMax(values: readonly number[]): number {
  let best = -1
  for (let i = 0; i < values.length; i++) if (best < 0 || (values[i] as number) > (values[best] as number)) best = i
  return best
}

/** Python's round(): to nearest integer, ties to even (banker's rounding). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x)
  const diff = x - f
  if (diff > 0.5) return f + 1
  if (diff < 0.5) return f
  return f % 2 === 0 ? f : f + 1
}
