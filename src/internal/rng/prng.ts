/**
 * Seeded pseudo-random stream for the optimizer. Not CPython's Mersenne Twister (we do not chase
 * bit-exactness with DSPy: its rollouts sample at temperature 1.0, so runs only repeat from a
 * cache anyway, see docs/simba.md); the operations mirror Python's `random.Random` so the
 * SIMBA port keeps DSPy's draw order: `random`, `randrange`, `choice`, `shuffle` (Fisher–Yates from
 * the last index down) and `choices` with weights (one `random()` per pick).
 * Generator: sfc32 seeded through splitmix32, 53-bit floats from two 32-bit outputs.
 */

/** A seeded random stream. Every method advances the same state. */
export interface Rng {
  /** Uniform float in [0, 1) with 53 random bits. */
  random(): number
  /** Uniform integer in [0, n); throws on n < 1. */
  randrange(n: number): number
  /** One uniform element of a non-empty array. */
  choice<T>(items: readonly T[]): T
  /** Shuffles `items` in place (Fisher–Yates from the last index) and returns it. */
  shuffle<T>(items: T[]): T[]
  /** One element picked by inverse CDF on cumulative `weights`, consuming one `random()`. */
  choices<T>(items: readonly T[], weights: readonly number[]): T
}

/** splitmix32 step: turns a seed into well-mixed 32-bit words. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0
  let z = state.s
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/** Folds any finite number (or a string) into a 32-bit seed word. */
function seedWord(seed: number | string, stream: number): number {
  let h = 0x811c9dc5 ^ stream
  const text = typeof seed === 'number' ? String(seed) : `s:${seed}`
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/**
 * Creates a seeded stream. `stream` selects an independent sequence for the same seed (SIMBA uses
 * stream 0 for its main draws and stream 1 for Poisson draws).
 * @example const r = createRng(0); r.shuffle([0, 1, 2, 3])
 */
export function createRng(seed: number | string = 0, stream = 0): Rng {
  const st = { s: seedWord(seed, stream) }
  let a = splitmix32(st)
  let b = splitmix32(st)
  let c = splitmix32(st)
  let d = splitmix32(st)
  const next32 = (): number => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
  for (let i = 0; i < 12; i++) next32()
  const random = (): number => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992
  const randrange = (n: number): number => {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`[vitest-simba] randrange needs an integer n >= 1, got ${n}`)
    return Math.floor(random() * n)
  }
  return {
    random,
    randrange,
    choice<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('[vitest-simba] choice from an empty list')
      return items[randrange(items.length)] as T
    },
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = randrange(i + 1)
        const tmp = items[i] as T
        items[i] = items[j] as T
        items[j] = tmp
      }
      return items
    },
    choices<T>(items: readonly T[], weights: readonly number[]): T {
      if (items.length === 0 || items.length !== weights.length) {
        throw new RangeError('[vitest-simba] choices needs as many weights as items (and at least one item)')
      }
      let total = 0
      const cum = weights.map((w) => (total += w))
      if (!(total > 0) || !Number.isFinite(total)) throw new RangeError('[vitest-simba] choices: total of weights must be finite and > 0')
      const x = random() * total
      // First cumulative weight strictly above x (bisect_right), clamped for float round-off.
      let lo = 0
      let hi = items.length - 1
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (x < (cum[mid] as number)) hi = mid
        else lo = mid + 1
      }
      return items[lo] as T
    },
  }
}
