/**
 * The scores a block's tests compare: each case's outcome, the scores per split, the split that
 * gates the mean, and the stored baseline re-keyed to today's case names. Pure, so the rules that
 * decide verdicts are unit-tested apart from the Vitest run that calls them.
 */
import { dict, own } from '../../internal/json/dict.js'
import { maskSecrets } from '../../internal/secrets/secrets.js'
import { agentStepsOf } from '../../report/model.js'
import { reportCallsOf } from '../../report/trace.js'
import type { ReportAgentStep, ReportCall } from '../../report/types.js'
import type { CallRecord } from '../../core/trace/calls.js'
import type { Baseline, BlockSnapshot, SplitScores } from '../../snapshot/types.js'
import type { BlockCase } from './cases.js'
import { mean } from './compare.js'

/** Result of one case evaluation. */
export interface CaseOutcome {
  /** Metric score (0 on failure). */
  score: number
  /** Program or metric failure. */
  error?: string
  /** Metric feedback. */
  feedback?: string
  /** The program's answer as JSON text (truncated, secrets masked). */
  prediction?: string
  /** An agent's steps (thought, tool, arguments, observation), for agent programs. */
  agentTrajectory?: ReportAgentStep[]
  /** Each trial's score and error, when the block runs more than one trial per case. */
  trials?: Array<{ score: number; error?: string }>
  /** The case's LM and tool calls (report form), when the run collected them. */
  calls?: ReportCall[]
}

/** What evaluation reported for one case (the fields of `evaluate()`'s case result used here). */
export interface CaseResultLike {
  /** Metric score. */
  score: number
  /** Program or metric failure. */
  error?: string
  /** Metric feedback. */
  feedback?: string
  /** The program's output. */
  prediction?: unknown
  /** Each trial's outcome, when evaluated with more than one trial. */
  trials?: ReadonlyArray<{ score: number; error?: string }>
  /** LM and tool calls of the case, when collected. */
  calls?: readonly CallRecord[]
}

/** Key of a case in a block's outcomes: `split + '\0' + case name`. */
export const caseKey = (c: { split: string; name: string }): string => `${c.split}\0${c.name}`

/** JSON text of a value, cut at `max` characters, secrets masked (for task meta and reports). */
export function shownValue(value: unknown, max = 500): string | undefined {
  if (value === undefined) return undefined
  let text: string
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  } catch {
    text = String(value)
  }
  const masked = maskSecrets(text)
  return masked.length > max ? `${masked.slice(0, max)}…` : masked
}

/**
 * Outcomes (keyed by {@link caseKey}) and this run's baseline from the evaluation of `cases`
 * (`results[i]` belongs to `cases[i]`; a missing result scores 0). The devset, when the block has
 * one, gates the mean; else the trainset.
 */
export function blockScores(cases: readonly BlockCase[], results: ReadonlyArray<CaseResultLike | undefined>): { outcomes: Map<string, CaseOutcome>; baseline: Baseline } {
  const outcomes = new Map<string, CaseOutcome>()
  const splitScores = (split: 'trainset' | 'devset'): SplitScores | undefined => {
    const idx = cases.map((c, i) => [c, i] as const).filter(([c]) => c.split === split)
    if (idx.length === 0) return undefined
    const scores = dict<number>()
    for (const [c, i] of idx) {
      const r = results[i]
      const outcome: CaseOutcome = { score: r?.score ?? 0 }
      if (r?.error !== undefined) outcome.error = maskSecrets(r.error)
      if (r?.feedback !== undefined) outcome.feedback = maskSecrets(r.feedback)
      const shown = shownValue(r?.prediction)
      if (shown !== undefined) outcome.prediction = shown
      const steps = agentStepsOf(r?.prediction)
      if (steps !== undefined) outcome.agentTrajectory = steps
      if (r?.trials) outcome.trials = r.trials.map((t) => (t.error !== undefined ? { score: t.score, error: maskSecrets(t.error) } : { score: t.score }))
      if (r?.calls) outcome.calls = reportCallsOf(r.calls)
      outcomes.set(caseKey(c), outcome)
      scores[c.name] = outcome.score
    }
    return { mean: mean(Object.values(scores)), cases: scores }
  }
  const trainset = splitScores('trainset') ?? { mean: 0, cases: {} }
  const devset = splitScores('devset')
  const split = devset ? 'devset' : 'trainset'
  return { outcomes, baseline: { split, mean: (devset ?? trainset).mean, trainset, ...(devset ? { devset } : {}) } }
}

/** The stored baseline with case keys in today's naming (older files keyed cases by position). */
export function rekeyBaseline(stored: BlockSnapshot, cases: readonly BlockCase[]): Baseline {
  if (!stored.legacyCaseNames) return stored.baseline
  const rekey = (split: 'trainset' | 'devset', scores: SplitScores | undefined): SplitScores | undefined => {
    if (!scores) return undefined
    const out = dict<number>()
    for (const c of cases) {
      if (c.split !== split) continue
      const v = own(scores.cases, c.legacyName)
      if (v !== undefined) out[c.name] = v
    }
    return { mean: scores.mean, cases: out }
  }
  const trainset = rekey('trainset', stored.baseline.trainset) as SplitScores
  const devset = rekey('devset', stored.baseline.devset)
  return { ...stored.baseline, trainset, ...(devset ? { devset } : {}) }
}

/** The stored mean the gate compares with: the old baseline's mean on the gating split, or null. */
export function storedMean(old: Baseline | undefined, split: 'trainset' | 'devset'): number | null {
  return old ? (old[split]?.mean ?? null) : null
}
