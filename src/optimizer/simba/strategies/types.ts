/** Typed context and outcome of the two SIMBA strategies (append a demo, append a rule). */
import type { Example } from '../../../core/example/example.js'
import type { TraceStep } from '../../../core/trace/trace.js'
import type { Predict } from '../../../core/predict/predict.js'
import type { Module } from '../../../core/module/module.js'
import type { LanguageModel } from '../../../core/lm/types.js'

/** One scored program run (a "trajectory"). */
export interface RunRecord {
  /** The program's output, or null when it threw. */
  prediction: Record<string, unknown> | null
  /** Steps recorded during the run (partial when it threw). */
  trace: TraceStep[]
  /** Metric score, 0 on any failure. */
  score: number
  /** The example. */
  example: Example
  /** Metric extras (e.g. `feedback`), `{}` for plain numbers. */
  outputMetadata: Record<string, unknown>
  /** Program or metric error, when the run failed. */
  error?: unknown
  /** Pool id of the program that ran (rollouts). */
  programId?: number
  /** Rollout slot (rollouts). */
  slot?: number
}

/** Everything a strategy may read or change. */
export interface StrategyContext {
  /** The bucket's runs, best first. */
  bucket: readonly RunRecord[]
  /** The candidate (already demo-dropped); strategies edit its predictors. */
  candidate: Module
  /** Predictor object → name, for every pool program. */
  nameOf: (predictor: Predict) => string | undefined
  /** 10th / 90th percentile of the step's rollout scores. */
  p10: number
  p90: number
  /** Options the strategies need. */
  demoInputFieldMaxlen: number
  /** LM that writes rules (already metered). */
  promptModel: LanguageModel | undefined
  /**
   * DSPy's behaviour (the default): advice appended as is, reward info kept on a blanked side,
   * DSPy's "Original Instructions" label. False: the search-changing fixes.
   */
  faithful: boolean
  /** Skip advice already contained verbatim in the instructions, and blank advice (default: `!faithful`). */
  dedupeAdvice?: boolean
  /** `checkAdvice`: removes what the labelled trainset contradicts from a tip before it is appended. */
  checkAdvice?: ((text: string) => { text: string; removed: string[] }) | undefined
}

/** What a strategy did: `gated` when a percentile gate stopped it, `ruleCall` when it called the rule writer. */
export type StrategyOutcome = { status: 'applied'; ruleCall?: true } | { status: 'skipped'; reason: string; gated?: true; ruleCall?: true }

/** Thrown by "append a rule" when the rule writer's call failed or its reply was unusable. */
export class RuleWriterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RuleWriterError'
  }
}

/** A strategy: edits the candidate in place, throws when it cannot build one. */
export type Strategy = (ctx: StrategyContext) => Promise<StrategyOutcome>

/** Strategy names in DSPy's list order (uniform choice over this list). */
export type StrategyName = 'append_a_demo' | 'append_a_rule'
