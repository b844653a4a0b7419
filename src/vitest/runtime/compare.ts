import type { Baseline, SplitScores } from '../../snapshot/types.js'
import { CASE_ALPHA, MEAN_ALPHA, caseDropTest, meanDropTest, meanOf, summarizeTrials, type PairedTrials } from '../../core/evaluate/stats.js'
import type { CaseStatus } from '../shared.js'

const EPS = 1e-9

/** Score a case needs to pass when the block sets no `caseThreshold`. */
export const DEFAULT_CASE_THRESHOLD = 1

/** Compares one case with its baseline score (`caseThreshold` defaults to {@link DEFAULT_CASE_THRESHOLD}). */
export function caseStatus(args: { score: number; errored: boolean; baseline: number | undefined; caseThreshold?: number | undefined; tolerance: number }): CaseStatus {
  const { score, baseline, tolerance } = args
  const caseThreshold = args.caseThreshold ?? DEFAULT_CASE_THRESHOLD
  if (args.errored) return 'error'
  if (baseline === undefined) return score >= caseThreshold - EPS ? 'new' : 'failing'
  if (baseline >= caseThreshold - EPS && score < baseline - tolerance - EPS) return 'regressed'
  if (score > baseline + EPS) return 'improved'
  if (score < caseThreshold - EPS) return 'known-failing'
  return 'pass'
}

/** The baseline scores of one split, if the baseline has it. */
export function baselineSplit(baseline: Baseline | undefined, split: 'trainset' | 'devset'): SplitScores | undefined {
  return baseline?.[split]
}

/** Mean of numbers (0 for none). */
export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length
}

/** Failure message of the aggregate test, or undefined when the mean passes. */
export function gateMessage(args: {
  block: string
  split: string
  mean: number
  threshold: number | undefined
  baseline: number | undefined
  tolerance: number
  /** Regressed cases; `split` is set when the block has both splits (names may repeat across them). */
  regressed: Array<{ name: string; score: number; baseline: number; split?: string }>
}): string | undefined {
  const problems: string[] = []
  const m = args.mean.toFixed(3)
  if (args.threshold !== undefined && args.mean < args.threshold - EPS) problems.push(`mean ${m} on ${args.split} is below the threshold ${args.threshold}`)
  if (args.baseline !== undefined && args.mean < args.baseline - args.tolerance - EPS) {
    problems.push(`mean ${m} on ${args.split} dropped below the baseline ${args.baseline.toFixed(3)} (tolerance ${args.tolerance})`)
  }
  if (problems.length === 0) return undefined
  const moved = args.regressed.map((r) => `${r.split ? `${r.split} ` : ''}"${r.name}" ${r.baseline} → ${r.score}`)
  return `[vitest-simba] block "${args.block}": ${problems.join('; ')}` + (moved.length > 0 ? `. Regressed cases: ${moved.join(', ')}` : '')
}

/**
 * Status of a case run with several trials. It regresses only when its drop against the baseline's
 * trials is larger than `tolerance` and larger than sampling noise explains (one-sided permutation
 * test at {@link CASE_ALPHA}); it improves only on a significant rise. Trials that disagree make it
 * `flaky`, never a regression on their own.
 */
export function trialCaseStatus(args: { now: readonly number[]; errored: boolean; base: readonly number[] | undefined; caseThreshold?: number | undefined; tolerance: number }): { status: CaseStatus; p: number | null } {
  const caseThreshold = args.caseThreshold ?? DEFAULT_CASE_THRESHOLD
  const now = summarizeTrials(args.now, caseThreshold)
  if (args.errored) return { status: 'error', p: null }
  if (args.base === undefined || args.base.length === 0) return { status: now.flaky ? 'flaky' : now.mean >= caseThreshold - EPS ? 'new' : 'failing', p: null }
  const baseMean = meanOf(args.base)
  const p = caseDropTest(args.base, args.now)
  if (baseMean - now.mean > args.tolerance + EPS && p < CASE_ALPHA) return { status: 'regressed', p }
  if (now.flaky) return { status: 'flaky', p }
  if (now.mean > baseMean + EPS && caseDropTest(args.now, args.base) < CASE_ALPHA) return { status: 'improved', p }
  return { status: now.mean < caseThreshold - EPS ? 'known-failing' : 'pass', p }
}

/**
 * Whether the block's mean regressed with trials: its drop against the baseline is larger than
 * `tolerance` (practical significance) and significant under the stratified permutation test at
 * {@link MEAN_ALPHA} (statistical significance).
 */
export function trialMeanVerdict(cases: readonly PairedTrials[], tolerance: number): { regressed: boolean; drop: number; p: number } {
  const { drop, p } = meanDropTest(cases)
  return { regressed: drop > tolerance + EPS && p < MEAN_ALPHA, drop, p }
}

/** Failure message of the aggregate test of a block run with trials, or undefined when it passes. */
export function trialGateMessage(args: {
  block: string
  split: string
  mean: number
  half: number
  threshold: number | undefined
  baseline: number | undefined
  tolerance: number
  verdict: { regressed: boolean; drop: number; p: number } | undefined
  regressed: Array<{ name: string; score: number; baseline: number; split?: string }>
  /** Cases of the gating split with their baseline mean and this run's, to name the largest drops. */
  cases?: Array<{ name: string; score: number; baseline: number; split?: string }>
}): string | undefined {
  const problems: string[] = []
  const m = `${args.mean.toFixed(3)} ± ${args.half.toFixed(3)}`
  if (args.threshold !== undefined && args.mean < args.threshold - EPS) problems.push(`mean ${m} on ${args.split} is below the threshold ${args.threshold}`)
  if (args.baseline !== undefined && args.verdict?.regressed) {
    problems.push(
      `mean ${m} on ${args.split} dropped below the baseline ${args.baseline.toFixed(3)} by ${args.verdict.drop.toFixed(3)}, ` +
        `more than the tolerance ${args.tolerance} and more than sampling noise explains (permutation test p = ${args.verdict.p.toFixed(4)} < ${MEAN_ALPHA})`,
    )
  }
  if (problems.length === 0) return undefined
  const shown = (r: { name: string; score: number; baseline: number; split?: string }): string => `${r.split ? `${r.split} ` : ''}"${r.name}" ${r.baseline.toFixed(3)} → ${r.score.toFixed(3)}`
  const moved = args.regressed.map(shown)
  // The cases that dropped most (at most 10), so a significant mean drop names where it came from
  // even when no single case's drop is significant on its own.
  const regressedNames = new Set(args.regressed.map((r) => `${r.split ?? ''}\0${r.name}`))
  const largest = (args.cases ?? [])
    .filter((c) => c.baseline - c.score > EPS && !regressedNames.has(`${c.split ?? ''}\0${c.name}`))
    .sort((a, b) => b.baseline - b.score - (a.baseline - a.score) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, 10)
    .map(shown)
  return (
    `[vitest-simba] block "${args.block}": ${problems.join('; ')}` +
    (moved.length > 0 ? `. Regressed cases: ${moved.join(', ')}` : '') +
    (largest.length > 0 ? `. ${moved.length > 0 ? 'Other cases that dropped' : 'Cases that dropped most'}: ${largest.join(', ')}` : '')
  )
}
