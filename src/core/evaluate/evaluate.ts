import { SimbaError } from '../../errors.js'
import { createLimiter } from '../../internal/concurrency/limiter.js'
import { caseName, type Example } from '../example/example.js'
import type { LanguageModel, UsageTotals } from '../lm/types.js'
import { hasModuleBrand } from '../module/brand.js'
import type { Module } from '../module/module.js'
import { withSettings, type Settings } from '../module/settings.js'
import type { CallRecord } from '../trace/calls.js'
import { runWithTrace, type TraceStep } from '../trace/trace.js'
import { scoreCase, type Metric } from './metric.js'

/** A program to evaluate: a Module, or any async function from inputs to outputs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Program<I = any, O = any> = Module<I, O> | ((inputs: I) => Promise<O>)

/** Options of `evaluate`. */
export interface EvaluateOptions {
  /** Cases in flight at once (default 16). */
  concurrency?: number
  /** Stop launching cases and throw once more than this many cases failed (default: never). */
  maxErrors?: number
  /** Called after every finished case (in completion order). */
  onProgress?: (progress: { done: number; total: number; errors: number; meanSoFar: number }) => void
  /** Settings (LM, mapLM, adapter) active for every case; `settings.lm` usage is reported. */
  settings?: Settings
  /** Pass each case's trace to the metric as its third argument (default false, as DSPy's evaluation and SIMBA do). */
  metricTrace?: boolean
  /**
   * Runs every case this many times (default 1) and scores it by the mean of its trials. Each trial
   * gets its own rollout id (part of the cache and fixture key, never in the request body), so the
   * LM samples it afresh at its own temperature; trial 0 of `trialOffset` 0 uses the LM unchanged.
   */
  trials?: number
  /** Collect each case's LM and tool calls (messages, completions, tool results) into {@link CaseResult.calls} (default false). */
  captureCalls?: boolean
  /** Shifts the trials' rollout ids (trial j uses index `trialOffset · trials + j`), for fresh re-runs (default 0). */
  trialOffset?: number
}

/** One trial of a case (present on {@link CaseResult.trials} when `trials` > 1). */
export interface TrialResult<P = unknown> {
  /** Trial index (0-based). */
  trial: number
  /** The rollout id added to the LM's own for this trial (`null` for the LM unchanged). */
  rolloutId: number | null
  /** The program's output (undefined when it threw). */
  prediction: P | undefined
  /** Metric score (0 when the program or metric failed). */
  score: number
  /** Metric feedback, if any. */
  feedback?: string
  /** What went wrong. */
  error?: string
}

/** Rollout ids of trials start here (above any SIMBA rollout slot), added to the LM's own id. */
export const TRIAL_ROLLOUT_BASE = 1_000_000

/** One evaluated case, at the same index as its example. */
export interface CaseResult<E = Example, P = unknown> {
  /** Position in the examples array. */
  index: number
  /** Test-friendly name (`caseName`). */
  name: string
  /** The example. */
  example: E
  /** The program's output (undefined when it threw). */
  prediction: P | undefined
  /** Metric score (0 when the program or metric failed). */
  score: number
  /** Metric feedback, if any. */
  feedback?: string
  /** What went wrong (program error or unusable metric result). */
  error?: string
  /** Predictor calls of this case (of its first trial, when it has several). */
  trace: TraceStep[]
  /** Each trial's outcome, when `trials` > 1 (`score` is then their mean, `prediction` the first trial's). */
  trials?: Array<TrialResult<P>>
  /** LM and tool calls of the case in start order (of its first trial), with `captureCalls`. */
  calls?: CallRecord[]
}

/** Outcome of `evaluate`. */
export interface EvaluateResult<E = Example, P = unknown> {
  /** Mean score over all cases (0 for no cases). */
  mean: number
  /** Per-case results, index-aligned with the examples. */
  cases: Array<CaseResult<E, P>>
  /** The failed cases (program or metric), in index order. */
  errors: Array<{ index: number; name: string; error: string }>
  /** Usage of `settings.lm` during the run (delta), when given. */
  usage?: UsageTotals
}

/**
 * Runs `program` on every example with bounded concurrency, each in its own trace, and scores it.
 * Program and metric failures are recorded per case (score 0), never thrown, unless `maxErrors` is exceeded.
 * @example const { mean, cases } = await evaluate(program, devset, metric, { settings: { lm } })
 */
export async function evaluate<E extends Example, P>(
  program: Program<ReturnType<E['inputs']>, P>,
  examples: readonly E[],
  metric: Metric<E, P>,
  options: EvaluateOptions = {},
): Promise<EvaluateResult<E, P>> {
  const run = hasModuleBrand(program) ? (i: unknown) => (program as Module).forward(i) : (program as (i: unknown) => Promise<P>)
  if (typeof run !== 'function') throw new SimbaError('SIMBA_CONFIG', 'evaluate(program, ...) needs a Module or an async function')
  if (hasModuleBrand(program)) (program as Module).namedPredictors() // labels predictors with their dotted names for errors
  examples.forEach((ex, i) => {
    if (typeof ex?.inputs !== 'function' || ex.inputKeys.length === 0) {
      throw new SimbaError('SIMBA_DATASET', `evaluate: example #${i} ${typeof ex?.inputs !== 'function' ? 'is not an Example (use toExamples(rows, inputKeys))' : 'has no input keys (use toExamples(rows, inputKeys) or example.withInputs(...))'}`)
    }
  })
  const { settings, maxErrors, onProgress } = options
  const limiter = createLimiter(Math.max(1, options.concurrency ?? 16))
  const before = settings?.lm?.usage()
  const cases: Array<CaseResult<E, P> | undefined> = new Array(examples.length)
  let failed = 0
  let done = 0
  let sum = 0
  let stopped = false

  const trials = Math.max(1, Math.floor(options.trials ?? 1))
  const offset = Math.max(0, Math.floor(options.trialOffset ?? 0))
  const runOnce = async (example: E, index: number, name: string, trial: number): Promise<CaseResult<E, P>> => {
    const body = async (): Promise<CaseResult<E, P>> => {
      const traced = await runWithTrace(() => run(example.inputs()) as Promise<P>, { calls: options.captureCalls === true })
      const calls = traced.calls ? { calls: traced.calls } : {}
      if ('error' in traced) {
        const e = traced.error
        return { index, name, example, prediction: undefined, score: 0, error: `program failed on case "${name}": ${e instanceof Error ? e.message : String(e)}`, trace: traced.trace, ...calls }
      }
      const scored = await scoreCase(metric, example, traced.result as P, options.metricTrace ? traced.trace : undefined, `"${name}"`)
      return { index, name, example, prediction: traced.result, trace: traced.trace, ...scored, ...calls }
    }
    const slot = offset * trials + trial
    if (slot === 0) return settings ? await withSettings(settings, body) : await body()
    const mapped = trialSettings(settings, slot, memo)
    return withSettings(mapped, body)
  }
  const memo = new Map<LanguageModel, Map<number, LanguageModel>>()

  const runCase = async (example: E, index: number): Promise<void> => {
    if (stopped) return
    const name = caseName(example, index)
    let result: CaseResult<E, P>
    if (trials === 1) result = await runOnce(example, index, name, 0)
    else {
      const each = await Promise.all(Array.from({ length: trials }, (_, t) => runOnce(example, index, name, t)))
      const first = each[0] as CaseResult<E, P>
      const failedTrial = each.find((r) => r.error !== undefined)
      result = {
        ...first,
        score: each.reduce((a, r) => a + r.score, 0) / trials,
        trials: each.map((r, t) => {
          const slot = offset * trials + t
          const out: TrialResult<P> = { trial: t, rolloutId: slot === 0 ? null : TRIAL_ROLLOUT_BASE + slot, prediction: r.prediction, score: r.score }
          if (r.feedback !== undefined) out.feedback = r.feedback
          if (r.error !== undefined) out.error = r.error
          return out
        }),
      }
      if (failedTrial?.error !== undefined) result.error = failedTrial.error
      else delete result.error
    }
    cases[index] = result
    done++
    sum += result.score
    if (result.error !== undefined) failed++
    if (maxErrors !== undefined && failed > maxErrors) stopped = true
    onProgress?.({ done, total: examples.length, errors: failed, meanSoFar: sum / done })
  }

  await Promise.all(examples.map((ex, i) => limiter.run(() => runCase(ex, i))))
  const finished = cases.filter((c): c is CaseResult<E, P> => c !== undefined)
  const errors = finished.filter((c) => c.error !== undefined).map((c) => ({ index: c.index, name: c.name, error: c.error as string }))
  if (stopped) {
    throw new SimbaError(
      'SIMBA_ALL_FAILED',
      `evaluation stopped: ${errors.length} cases failed (maxErrors ${maxErrors}) after ${finished.length} of ${examples.length} cases. First errors:\n` +
        errors.slice(0, 3).map((e) => `- ${e.error}`).join('\n'),
    )
  }
  const all = finished
  const result: EvaluateResult<E, P> = { mean: all.length === 0 ? 0 : all.reduce((s, c) => s + c.score, 0) / all.length, cases: all, errors }
  if (settings?.lm && before) result.usage = usageDelta(before, settings.lm.usage())
  return result
}

/**
 * Settings of trial `slot`: every LM (the settings' own and each predictor's) is replaced by a copy
 * with rollout id `own + TRIAL_ROLLOUT_BASE + slot`, after the caller's `mapLM`. Copies are memoized
 * per (LM, slot) and share the original's cache, limiter and usage totals.
 */
function trialSettings(settings: Settings | undefined, slot: number, memo: Map<LanguageModel, Map<number, LanguageModel>>): Settings {
  const outer = settings?.mapLM
  const perSlot = (lm: LanguageModel): LanguageModel => {
    let bySlot = memo.get(lm)
    if (!bySlot) memo.set(lm, (bySlot = new Map()))
    let copy = bySlot.get(slot)
    if (!copy) bySlot.set(slot, (copy = lm.copy({ rolloutId: (lm.rolloutId ?? 0) + TRIAL_ROLLOUT_BASE + slot })))
    return copy
  }
  return { ...(settings ?? {}), mapLM: (lm, name) => perSlot(outer ? outer(lm, name) : lm) }
}

function usageDelta(a: UsageTotals, b: UsageTotals): UsageTotals {
  return {
    calls: b.calls - a.calls,
    cachedCalls: b.cachedCalls - a.cachedCalls,
    promptTokens: b.promptTokens - a.promptTokens,
    completionTokens: b.completionTokens - a.completionTokens,
    totalTokens: b.totalTokens - a.totalTokens,
    cost: b.cost - a.cost,
  }
}
