/**
 * Public option, result, log and event types of the SIMBA optimizer (docs/simba.md describes the
 * algorithm and every option).
 */
import type { Example } from '../../core/example/example.js'
import type { LanguageModel, UsageTotals } from '../../core/lm/types.js'
import type { Metric } from '../../core/evaluate/metric.js'
import type { Module, ProgramState } from '../../core/module/module.js'
import type { PriceTable } from '../../core/lm/options.js'
import type { SimbaForecast } from './forecast.js'

/** Spending caps, checked between phases; reaching one stops the run cleanly. */
export interface SimbaBudget {
  /** Maximum live (non-cached) LM calls. */
  maxCalls?: number
  /** Maximum live tokens (prompt + completion). */
  maxTokens?: number
  /** Maximum cost, from the LMs' price tables (or `prices`). */
  maxCost?: number
}

/** Options of `simba(program, options)`. Defaults follow DSPy's SIMBA unless noted. */
export interface SimbaOptions<P extends Module = Module> {
  /** Training examples (mini-batches are drawn from them). */
  trainset: readonly Example[]
  /** Metric: number, boolean or `{ score, feedback }` (feedback goes to the rule writer). */
  metric: Metric
  /** LM for predictors without their own (also the default rule-writing LM). */
  lm?: LanguageModel
  /** Examples for the final selection (default: the trainset, as in DSPy). */
  valset?: readonly Example[]
  /** Seed of both random streams (default 0). */
  seed?: number
  /** Mini-batch size (default 32; clamped to the trainset size with a warning). */
  bsize?: number
  /** N: rollouts per example, N + 1 candidates per step, N + 1 final slots (default 6). */
  numCandidates?: number
  /** Number of steps (default 8). */
  maxSteps?: number
  /** Soft cap on demos per predictor; <= 0 disables the demo strategy (default 4). */
  maxDemos?: number
  /** Softmax temperature for picking rollout programs (default 0.2). */
  temperatureForSampling?: number
  /** Softmax temperature for picking candidate sources (default 0.2; 0.02 with `mode: 'improved'`, which builds nearly every candidate from the best-scoring program). */
  temperatureForCandidates?: number
  /** Input values longer than this are truncated in new demos; 0 or null disables (default 100000). */
  demoInputFieldMaxlen?: number | null
  /** LM that writes rules (default: `lm`, else the first predictor's LM). */
  promptModel?: LanguageModel
  /** Non-empty → rollout slot 0 uses `teacherSettings.lm` (or the base LM) at its own temperature. */
  teacherSettings?: { lm?: LanguageModel }
  /** Program runs in flight at once (default 16); each LM also has its own limiter. */
  concurrency?: number
  /** 'concurrent' (default): rules in parallel, evaluation pipelined; 'sequential': DSPy's order of work. */
  schedule?: 'concurrent' | 'sequential'
  /** Temperature per rollout slot (default 1.0 for every slot, as DSPy). */
  temperatureSchedule?: readonly number[]
  /** Give each step fresh rollout ids (`r0 + step·N + m`) instead of DSPy's repeated ids (default false). */
  freshRolloutIds?: boolean
  /**
   * `'faithful'` (default for `simba()`): DSPy's search. `'improved'`: `faithful: false` plus
   * `mergeAdvice`, `carryAdvice`, `consolidateAdvice`, `skipUnchanged`, `rulesAtDemoCap`, `creditRollouts`, `finalists: 'best'`, `patience: 2`, `labeledDemos: 24`, `checkAdvice`,
   * `thinDemos`, `reflectiveStart` and `temperatureForCandidates: 0.02`, each of which can still be set on its own
   * (docs/simba.md, "Improved mode", has the measurements).
   */
  mode?: 'faithful' | 'improved'
  /**
   * Make DSPy's search decisions (default true; false with `mode: 'improved'`). `false` opts into
   * the fixes that change the search (scored baseline, advice de-duplication, blanked reward info,
   * instruction label, softmax fallback, no metric call on failed runs); see docs/simba.md.
   */
  faithful?: boolean
  /**
   * After each step, one more candidate: the step winner plus the new instruction paragraphs and
   * demos of every other changed candidate that scored at least the step's rollout mean; it is
   * scored on the mini-batch and replaces the winner when it scores at least as well. Only N
   * ordinary candidates are built then, so a step still evaluates at most N + 1 programs
   * (default: on with `mode: 'improved'`).
   */
  mergeAdvice?: boolean
  /**
   * With `mergeAdvice`: remember what every endorsed candidate (a step winner, or one that scored at
   * least the step's rollout mean) added, across steps, and give each step's merged candidate the
   * remembered additions its winner lacks, so a later winner from another lineage does not lose
   * them (default: on with `mode: 'improved'`).
   */
  carryAdvice?: boolean
  /**
   * With `mergeAdvice`: before the merged candidate is scored, the prompt model rewrites each
   * predictor's gathered tips (2 or more paragraphs beyond the baseline's instructions) into short
   * rules, one per output value, keeping every concrete cue and dropping vague tips; one LM call per
   * such predictor and step (default: on with `mode: 'improved'`).
   */
  consolidateAdvice?: boolean
  /**
   * Do not keep candidates whose strategy changed nothing (gated, or advice already present);
   * further buckets are tried instead, and a step whose buckets are all gated evaluates nothing
   * (default: on with `mode: 'improved'`; DSPy keeps and evaluates them).
   */
  skipUnchanged?: boolean
  /**
   * Add each rollout's score to the score list of the pool program that ran it, so a program's
   * average covers every mini-batch it was sampled on, not only the one it was created on (DSPy
   * never updates it, so a lucky easy batch keeps a program on top). Default: on with
   * `mode: 'improved'`.
   */
  creditRollouts?: boolean
  /**
   * Which step winners are scored in the final selection (always with the baseline): `'spaced'`
   * (DSPy) N + 1 evenly spaced winners; `'best'` the ⌈(N + 1) / 2⌉ winners with the best pool
   * averages (default: `'best'` with `mode: 'improved'`).
   */
  finalists?: 'spaced' | 'best'
  /**
   * When the source program's predictors already hold `maxDemos` demos, use "append a rule" instead
   * of a drawn "append a demo" (which would only replace a demo); the draw is still made, so the
   * random streams are unchanged (default: on with `mode: 'improved'`).
   */
  rulesAtDemoCap?: boolean
  /**
   * Check advice against the labelled trainset before it is appended or kept: a quoted phrase that
   * a rule ties to an output value is removed when no more than half of the training cases holding it
   * have that value, or (30+ training cases) fewer than two do; no LM call. Default: on with `mode: 'improved'`.
   */
  checkAdvice?: boolean
  /**
   * After each step, a copy of the winner that keeps one labelled warm-start demo per output value is
   * scored on the mini-batch and replaces the winner when it scores as well. Default: on with `mode: 'improved'`.
   */
  thinDemos?: boolean
  /**
   * Before the first step, the starting program runs on up to 4·bsize training examples and the
   * prompt model writes rules from the cases it got wrong (8 per call); kept when it gains and breaks
   * no case; a kept one counts as one of `maxSteps`. Default: on with `mode: 'improved'` (needs a prompt model).
   */
  reflectiveStart?: boolean
  /**
   * Warm start: before the first step, the baseline plus this many labelled training examples as
   * demos (spread over the label values, drawn with the seed) joins the pool, is returned by a stop
   * before any evaluation, and is scored by its first-step rollouts (`creditRollouts`) or on the
   * first mini-batch; dropping and `maxDemos` concern
   * only SIMBA's own demos. 0 = off (default: 24 with `mode: 'improved'`, else 0).
   */
  labeledDemos?: number
  /**
   * Stop (then run the final selection) after this many consecutive steps in which no candidate
   * changed the program, i.e. every bucket was gated or gave known advice: the mini-batches are
   * solved. 0 = never (default: 2 with `mode: 'improved'`, else 0).
   */
  patience?: number
  /**
   * Skip advice a predictor's instructions already contain verbatim, and blank advice, instead of
   * appending it again (default: on with `faithful: false`, off otherwise, as DSPy).
   */
  dedupeAdvice?: boolean
  /**
   * Pass the program's trace as the metric's third argument (default false: the metric is called
   * as `metric(example, prediction)`, like DSPy's SIMBA, so a metric's stricter trace branch is off).
   */
  metricTrace?: boolean
  /**
   * LM calls one metric call makes (e.g. 1 for an LM judge), for the forecast only (default 0).
   * A judge built on `Predict` is counted in usage and budgets whatever this says.
   */
  metricLMCalls?: number
  /** Spending caps. */
  budget?: SimbaBudget
  /**
   * Prices per 1M tokens, in the LM's own `prices` shape, for cost accounting and the forecast
   * (default: each LM's own `prices`).
   */
  prices?: PriceTable
  /**
   * Failures tolerated (failed program runs, metric calls and rule-writer calls) before the run
   * stops (default: unlimited). Exceeding it after the first step returns the best program so far.
   */
  maxErrors?: number
  /** Receives progress events. */
  onProgress?: (event: SimbaEvent) => void
  /** Phantom: the program type. */
  readonly __program?: P
}

/** What happened to one candidate of a step. */
export interface CandidateLog {
  /** Pool id (registered candidates) or undefined when the strategy failed. */
  id: number | undefined
  /** Pool id of the program it was cloned from. */
  sourceId: number
  /** Mini-batch position of the bucket it learned from (-1 for a merged candidate). */
  bucketExample: number
  /** Strategy drawn; `merge` for the merged candidate of `mergeAdvice` (no bucket, no draws). */
  strategy: 'append_a_demo' | 'append_a_rule' | 'merge' | 'thin'
  /** 'applied', 'skipped' (gate failed, candidate kept unchanged) or 'failed' (discarded). */
  outcome: 'applied' | 'skipped' | 'failed'
  /** Why it was skipped or failed. */
  reason?: string
  /** True when it was skipped by a percentile gate (best <= p10, or worst >= p90 for rules). */
  gated?: boolean
  /** Set when the strategy called the rule writer: whether that call succeeded. */
  ruleCall?: 'ok' | 'failed'
  /** False when `skipUnchanged` dropped this unchanged candidate (not evaluated, not in the pool). */
  kept?: false
  /** True on a merged candidate whose tips the prompt model consolidated (`consolidateAdvice`). */
  consolidated?: true
  /** Demo positions dropped before the strategy. */
  droppedDemos: number[]
  /** Mean score on the step's mini-batch (registered candidates). */
  score?: number
}

/** Complete log of one step. */
export interface StepLog {
  /** Step index (0-based). */
  step: number
  /** Ids of the mini-batch examples. */
  batch: Array<string | number>
  /** Mean of all rollout scores. */
  rolloutMean: number
  /** 10th / 90th percentile of rollout scores. */
  p10: number
  p90: number
  /** Failed rollouts (program or metric errors). */
  rolloutErrors: number
  /** Candidates in bucket order. */
  candidates: CandidateLog[]
  /** Step winner, or null when no candidate was built. */
  winner: { id: number; score: number } | null
  /** Baseline's mini-batch score when it was evaluated in this step. */
  baselineScore?: number
  /** Step 0 with `labeledDemos` when it ran no credited rollout: the warm-start program's mean score on the mini-batch. */
  warmStartScore?: number
  /** Score on the final selection set, when this step's winner was a finalist. */
  finalScore?: number
}

/** What the reflective start did (`trialLogs.start`). */
export interface ReflectiveStartLog {
  /** Pool id of the program it started from (the warm start, else 0). */
  sourceId: number
  /** Ids of the training examples it ran on. */
  examples: Array<string | number>
  /** The starting program's mean score on them. */
  sourceScore: number
  /** Cases it got wrong (shown to the prompt model). */
  failed: number
  /** Prompt-model calls made. */
  calls: number
  /** Cases the starting program got right and the one with the rules got wrong (any rejects it; they run first). */
  lost?: number
  /** Pool id (when kept) and mean score (when it ran on every case) of the program with the written rules. */
  id?: number
  score?: number
}

/** One finalist of the final selection. */
export interface FinalistLog {
  /** Index into the winners list (0 = baseline). */
  winnerIndex: number
  /** Step that produced it (-1 for the baseline). */
  step: number
  /** Pool id. */
  id: number
  /** Mean score on the selection set (on its first half when `raced`). */
  score: number
  /** True when the finalist was dropped after the first half of the selection set (improved mode's race). */
  raced?: true
}

/** Full trial log: per step plus the final selection. */
export interface TrialLogs {
  /** Steps run, in order. */
  steps: StepLog[]
  /** Finalists with their selection-set scores (empty when stopped before the final phase). */
  final: FinalistLog[]
  /** The reflective start, when it ran (`reflectiveStart`). */
  start?: ReflectiveStartLog
}

/**
 * Why the run ended: all steps ran; `patience` steps in a row changed nothing (`plateau`, the final
 * selection still runs); a budget cap was reached; or runs kept failing after the first step
 * (`error:allFailed`: every rollout of a step failed; `error:maxErrors`: too many failures).
 */
export type StoppedReason = 'completed' | 'plateau' | 'budget:maxCalls' | 'budget:maxTokens' | 'budget:maxCost' | 'error:allFailed' | 'error:maxErrors'

/** The failure that ended a run early (`stoppedReason` `error:*`); the result holds the best program so far. */
export interface SimbaFailure {
  /** Error code the run would have thrown. */
  code: 'SIMBA_ALL_FAILED'
  /** Step in which it happened (`maxSteps` when it happened in the final selection). */
  step: number
  /** The error message, naming the first distinct errors. */
  message: string
}

/** Why a run made no progress (reasons of a `SIMBA_NO_PROGRESS` warning). */
export type NoProgressReason = 'all-gated' | 'all-rules-failed' | 'unchanged'

/** A warning of the run, also sent as a `warning` event. */
export interface SimbaWarning {
  /** `SIMBA_BSIZE_CLAMPED` or `SIMBA_NO_PROGRESS`. */
  code: string
  /** One line with the reason, the counts and what to do. */
  message: string
  /** For `SIMBA_NO_PROGRESS`: every reason that applies. */
  reasons?: NoProgressReason[]
}

/**
 * Candidate counts of one step (or a whole run). Every mini-batch bucket tried is exactly one of
 * applied, skipped or failed (a step tries buckets until it has built the candidates it wants, so
 * with `skipUnchanged` a step whose buckets are all gated tries every bucket and builds none); a
 * `mergeAdvice` merged candidate counts as applied and as merged, from no bucket.
 */
export interface CandidateCounts {
  /** Candidates kept and scored on the mini-batch (applied, plus skipped ones unless `skipUnchanged` dropped them). */
  built: number
  /** Candidates whose strategy changed the program (merged candidates included). */
  applied: number
  /** Buckets whose strategy changed nothing (a percentile gate stopped it, or its advice was blank or already present). */
  skipped: number
  /** Of the skipped: stopped by a percentile gate. */
  gated: number
  /** Buckets whose strategy threw (no candidate). */
  failed: number
  /** Of the applied: merged candidates of `mergeAdvice`. */
  merged: number
  /** Rule-writer calls made. */
  ruleCalls: number
  /** Of those, calls that failed (LM error or unusable reply). */
  ruleFailures: number
}

/** What a whole run did, in counts. */
export interface SimbaSummary extends CandidateCounts {
  /** Steps that ran to the end. */
  steps: number
  /** Failed program runs and metric calls (rollouts, evaluations, final selection). */
  runErrors: number
  /** True when the returned program has the baseline's state (instructions and demos). */
  unchanged: boolean
}

/** Result of `simba()`. */
export interface SimbaResult<P extends Module = Module> {
  /** Best program (a fresh clone; caller's program is not modified). */
  program: P
  /** Its mean score on the selection set (or mini-batch score when stopped early). */
  score: number
  /** Finalists, best first (stable). */
  candidatePrograms: Array<{ score: number; program: P }>
  /** Structured logs. */
  trialLogs: TrialLogs
  /** LM usage of this run (live calls; cached calls counted apart). */
  usage: UsageTotals
  /** Why the run ended. */
  stoppedReason: StoppedReason
  /** The failure that ended the run early (only with `stoppedReason` `error:*`). */
  failure?: SimbaFailure
  /** Counts of candidates, rule calls and errors over the run. */
  summary: SimbaSummary
  /** Every warning of the run (also sent as `warning` events), e.g. `SIMBA_NO_PROGRESS`. */
  warnings: SimbaWarning[]
  /** Forecast computed at start. */
  forecast: SimbaForecast
  /**
   * The settings the run actually used, defaults applied (bsize after clamping; LMs by model
   * name; an unlimited `maxErrors` as null), as plain JSON for provenance records.
   */
  settings: Record<string, unknown>
}

/** Progress events, in order: start, then per step step-start … step-end, then final. */
export type SimbaEvent =
  | { type: 'start'; forecast: SimbaForecast; bsize: number; trainsetSize: number }
  | { type: 'step-start'; step: number; batch: Array<string | number> }
  | { type: 'rollouts-done'; step: number; mean: number; p10: number; p90: number; errors: number }
  | { type: 'candidate'; step: number; phase: 'built' | 'evaluated'; candidate: CandidateLog }
  /** The reflective start ran (`reflectiveStart`): what it did, and the LM usage of the run so far. */
  | { type: 'reflective-start'; start: ReflectiveStartLog; usage: UsageTotals }
  | {
      type: 'step-end'
      step: number
      winner: StepLog['winner']
      /** Highest step-winner mini-batch score up to this step (never decreases); null before any step had a winner. */
      bestSoFar: number | null
      /** Candidates a step tries to build (`numCandidates + 1`, or `numCandidates` with `mergeAdvice`). */
      wanted: number
      /** LM usage of the whole run so far. */
      usage: UsageTotals
      /** This step's candidates, by outcome (one per mini-batch bucket tried). */
      counts: CandidateCounts
    }
  /**
   * The program the run would return if it stopped now (the winner with the best mini-batch score),
   * sent at the start and whenever it changes; `final: true` once the final selection has chosen.
   */
  | { type: 'best'; step: number; score: number; program: ProgramState; usage: UsageTotals; final?: true }
  | { type: 'final'; score: number; finalists: FinalistLog[]; stoppedReason: StoppedReason; usage: UsageTotals; failure?: SimbaFailure; summary: SimbaSummary }
  | ({ type: 'warning' } & SimbaWarning)

/** The state JSON of a program (re-exported for convenience). */
export type { ProgramState }
