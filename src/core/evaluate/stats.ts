/**
 * Statistics of repeated trials: per-case summaries (mean, pass rate, pass^k, pass@k, flaky), the
 * run-to-run noise interval of a mean, and the two permutation tests the regression gate uses.
 *
 * Both tests ask "is this drop larger than re-running the same program would give?". The null
 * hypothesis is that, case by case, the baseline's trials and this run's trials come from the same
 * distribution (the program did not change), so within each case the trial labels are exchangeable.
 * - {@link caseDropTest}: exact one-sided permutation test of one case's trials (all splits enumerated
 *   up to {@link EXACT_LIMIT}, else a seeded Monte Carlo); for pass/fail scores it is Fisher's exact test.
 * - {@link meanDropTest}: stratified permutation test of the mean over cases (labels shuffled within
 *   each case, never across cases), seeded Monte Carlo with the `(1 + hits) / (1 + B)` p-value,
 *   which keeps the false-alarm rate at or below alpha.
 * Both are deterministic: same inputs, same p-value, whatever the order of the cases.
 */
import { createRng } from '../../internal/rng/prng.js'

const EPS = 1e-9

/** One-sided significance level of the block mean test (false-alarm rate of the mean gate). */
export const MEAN_ALPHA = 0.025
/** One-sided significance level of each case's test (false-alarm rate per case). */
export const CASE_ALPHA = 0.005
/** Monte Carlo permutations of the mean test. */
export const PERMUTATIONS = 4000
/** Largest number of label splits the case test enumerates exactly. */
export const EXACT_LIMIT = 20_000

/** What a case's trials say. */
export interface TrialSummary {
  /** Number of trials. */
  n: number
  /** Mean score of the trials. */
  mean: number
  /** Share of trials that pass (score >= the case threshold). */
  passRate: number
  /** pass^k: every trial passed. */
  passAll: boolean
  /** pass@k: at least one trial passed. */
  passAny: boolean
  /** Some trials pass and some fail. */
  flaky: boolean
}

/** Mean of numbers (0 for none). */
export function meanOf(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length
}

/** Summarises one case's trial scores against the pass threshold. */
export function summarizeTrials(scores: readonly number[], caseThreshold = 1): TrialSummary {
  const passed = scores.filter((s) => s >= caseThreshold - EPS).length
  const n = scores.length
  return { n, mean: meanOf(scores), passRate: n === 0 ? 0 : passed / n, passAll: n > 0 && passed === n, passAny: passed > 0, flaky: passed > 0 && passed < n }
}

/** Unbiased sample variance (0 below two values). */
function variance(xs: readonly number[]): number {
  if (xs.length < 2) return 0
  const m = meanOf(xs)
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)
}

/**
 * The mean over cases of each case's trial mean, with a 95% interval for run-to-run noise: what
 * re-running the same cases would give (normal approximation from the within-case trial variances;
 * the cases themselves are fixed, not sampled). Cases with one trial add no width.
 */
export function noiseInterval(cases: ReadonlyArray<readonly number[]>, z = 1.96): { mean: number; low: number; high: number; half: number } {
  const n = cases.length
  if (n === 0) return { mean: 0, low: 0, high: 0, half: 0 }
  const mean = meanOf(cases.map(meanOf))
  const v = cases.reduce((a, xs) => a + (xs.length > 0 ? variance(xs) / xs.length : 0), 0) / (n * n)
  const half = z * Math.sqrt(v)
  return { mean, low: mean - half, high: mean + half, half }
}

/** Number of ways to pick k of n (as a float; fine for the sizes compared with EXACT_LIMIT). */
function choose(n: number, k: number): number {
  let r = 1
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i
  return r
}

const allEqual = (xs: readonly number[]): boolean => xs.every((x) => Math.abs(x - (xs[0] as number)) < EPS)

/**
 * One-sided p-value that one case's mean fell from `base` to `now` by chance alone: the share of
 * ways to relabel the pooled trials whose drop is at least the observed one. Identical samples give
 * p >= 0.5; `now` above `base` gives p near 1. Exact (all relabelings) for small samples.
 */
export function caseDropTest(base: readonly number[], now: readonly number[], seed = 0): number {
  if (base.length === 0 || now.length === 0) return 1
  const pooled = [...base, ...now]
  if (allEqual(pooled)) return 1
  const total = pooled.reduce((a, b) => a + b, 0)
  const nb = base.length
  const nc = now.length
  const stat = (sumNow: number): number => sumNow / nc - (total - sumNow) / nb
  const observed = stat(now.reduce((a, b) => a + b, 0))
  if (choose(pooled.length, nc) <= EXACT_LIMIT) {
    let hits = 0
    let all = 0
    const walk = (start: number, left: number, sum: number): void => {
      if (left === 0) {
        all++
        if (stat(sum) <= observed + EPS) hits++
        return
      }
      for (let i = start; i <= pooled.length - left; i++) walk(i + 1, left - 1, sum + (pooled[i] as number))
    }
    walk(0, nc, 0)
    return hits / all
  }
  const rng = createRng(seed, 7)
  const work = [...pooled]
  let hits = 0
  for (let b = 0; b < PERMUTATIONS; b++) {
    if (stat(pickSum(work, nc, rng)) <= observed + EPS) hits++
  }
  return (1 + hits) / (1 + PERMUTATIONS)
}

/** Sum of `k` values drawn without replacement (partial Fisher–Yates, in place). */
function pickSum(work: number[], k: number, rng: { randrange(n: number): number }): number {
  let sum = 0
  for (let i = 0; i < k; i++) {
    const j = i + rng.randrange(work.length - i)
    const t = work[i] as number
    work[i] = work[j] as number
    work[j] = t
    sum += work[i] as number
  }
  return sum
}

/** The baseline's and this run's trial scores of one case. */
export interface PairedTrials {
  /** Case name (sorts the cases, so the result does not depend on their order). */
  name: string
  /** Baseline trials (one score when the baseline was recorded without trials). */
  base: readonly number[]
  /** This run's trials. */
  now: readonly number[]
}

/**
 * Stratified permutation test of the mean over cases: `drop` is baseline mean minus this run's
 * mean (each a mean of per-case means), `p` the one-sided p-value of a drop at least this large
 * when nothing changed (trial labels shuffled within each case; seeded, so deterministic).
 */
export function meanDropTest(cases: readonly PairedTrials[], seed = 0, permutations = PERMUTATIONS): { drop: number; p: number } {
  const usable = [...cases].filter((c) => c.base.length > 0 && c.now.length > 0).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const n = usable.length
  if (n === 0) return { drop: 0, p: 1 }
  const drop = (usable.reduce((a, c) => a + meanOf(c.base) - meanOf(c.now), 0)) / n
  // Cases whose pooled trials are all equal move no permutation: they only shift the statistic.
  const moving = usable
    .filter((c) => !allEqual([...c.base, ...c.now]))
    .map((c) => {
      const pooled = [...c.base, ...c.now]
      return { work: pooled, nb: c.base.length, nc: c.now.length, total: pooled.reduce((a, b) => a + b, 0) }
    })
  if (moving.length === 0) return { drop, p: drop > EPS ? 0 : 1 }
  const rng = createRng(seed, 11)
  // Only the moving cases' contribution varies; the observed one is compared on the same footing.
  const contribution = (sumNow: number, m: (typeof moving)[number]): number => (m.total - sumNow) / m.nb - sumNow / m.nc
  let observed = 0
  for (const c of usable) if (!allEqual([...c.base, ...c.now])) observed += meanOf(c.base) - meanOf(c.now)
  let hits = 0
  for (let b = 0; b < permutations; b++) {
    let s = 0
    for (const m of moving) s += contribution(pickSum(m.work, m.nc, rng), m)
    if (s >= observed - EPS) hits++
  }
  return { drop, p: (1 + hits) / (1 + permutations) }
}
