import type { Baseline, SplitScores } from '../../snapshot/types.js'
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
