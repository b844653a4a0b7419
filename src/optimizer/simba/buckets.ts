/**
 * Buckets: the N rollouts of one mini-batch example, best first (ported from DSPy
 * `dspy/teleprompt/simba.py`, MIT). Examples whose rollouts disagree most come first.
 */

/** Anything with a score; rollouts carry more. */
export interface Scored {
  /** Metric score of the run (0 on failure). */
  score: number
}

/** One example's rollouts sorted by score (stable), with the sorting key. */
export interface Bucket<R extends Scored> {
  /** Index of the example in the mini-batch. */
  exampleIndex: number
  /** Rollouts, best first; ties keep slot order. */
  runs: R[]
  /** max − min, max, max − mean. */
  key: [gap: number, max: number, maxMinusMean: number]
}

/**
 * Groups model-major rollouts (`outs[m·B + j]`) into one bucket per example, then sorts buckets by
 * key descending, lexicographically (stable: ties keep batch order).
 * @example buildBuckets(outs, 32, 6)[0].key
 */
export function buildBuckets<R extends Scored>(outs: readonly R[], batchSize: number, slots: number): Bucket<R>[] {
  const buckets: Bucket<R>[] = []
  for (let j = 0; j < batchSize; j++) {
    const runs: R[] = []
    for (let m = 0; m < slots; m++) runs.push(outs[m * batchSize + j] as R)
    runs.sort((a, b) => b.score - a.score)
    const max = runs[0]?.score ?? 0
    const min = runs[runs.length - 1]?.score ?? 0
    const avg = runs.reduce((s, r) => s + r.score, 0) / Math.max(1, runs.length)
    buckets.push({ exampleIndex: j, runs, key: [max - min, max, max - avg] })
  }
  return buckets.sort(compareBucketKeys)
}

/** Comparator putting larger keys first (lexicographic on the three stats). */
export function compareBucketKeys<R extends Scored>(a: Bucket<R>, b: Bucket<R>): number {
  for (let i = 0; i < 3; i++) {
    const d = (b.key[i] as number) - (a.key[i] as number)
    if (d !== 0) return d
  }
  return 0
}
