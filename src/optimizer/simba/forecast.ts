/**
 * Call and cost forecast for a SIMBA run (formula in docs/simba.md): per step N·B rollouts,
 * C·B candidate runs (C = min(N+1, B)), Q rule-writing calls and (with `consolidateAdvice`) up
 * to P consolidation calls; then F·T final runs; plus the
 * LM calls of the metric (a judge) per metric call. Counts are upper bounds before caching and
 * parse retries.
 */

import type { PriceTable } from '../../core/lm/options.js'
import { costOf } from '../../core/lm/usage.js'

/** What the forecast needs to know about a run. */
export interface ForecastInput {
  /** Training examples (T). */
  trainsetSize: number
  /** Mini-batch size (B, clamped to T). */
  bsize: number
  /** N: rollouts per example; N + 1 candidates per step. */
  numCandidates: number
  /** S: number of steps. */
  maxSteps: number
  /** P: predictor calls per program run (1 for a single predictor). */
  predictorsPerRun: number
  /** Size of the selection set when a valset is given (else the trainset is used). */
  valsetSize?: number
  /** False when demos are disabled (maxDemos <= 0): every candidate then asks for a rule. */
  demosEnabled?: boolean
  /** False when the run uses `faithful: false`, which also scores the baseline once (B runs). Default true. */
  faithful?: boolean
  /** `'best'` (`mode: 'improved'`): ⌈(N + 1) / 2⌉ winners plus the baseline are finalists instead of N + 1, raced (all on half the selection set, the two best on all of it). */
  finalists?: 'spaced' | 'best'
  /** J: LM calls one metric call makes (an LM judge; default 0). */
  metricLMCalls?: number
  /** True with `consolidateAdvice`: up to one prompt-model call per predictor and step. */
  consolidateAdvice?: boolean
  /** Task LM prices (the LM's own `prices` shape) to turn token estimates into cost. */
  prices?: PriceTable | undefined
  /** Task model name, to pick its price from a per-model table. */
  model?: string | undefined
  /** Prices of the rule-writing LM (default: `prices`). */
  promptPrices?: PriceTable | undefined
  /** Rule-writing model name (default: `model`). */
  promptModel?: string | undefined
  /** Average tokens per call (default 600 prompt / 150 completion). */
  tokensPerCall?: { prompt: number; completion: number }
}

/** Expected work of one SIMBA run. */
export interface SimbaForecast {
  /** Program runs per step for rollouts (N·B). */
  rolloutRunsPerStep: number
  /** Program runs per step for candidate evaluation (C·B). */
  candidateRunsPerStep: number
  /** Expected rule-writing calls per step ((N+1)/2 with demos enabled, else N+1). */
  reflectionsPerStep: number
  /** Prompt-model calls per step that consolidate advice (at most P with `consolidateAdvice`, else 0). */
  consolidationsPerStep: number
  /** Task-LM calls per step: (N + C)·B·P. */
  taskCallsPerStep: number
  /** Extra runs scoring the baseline (B·P once with `faithful: false`, else 0). */
  baselineCalls: number
  /** Final-selection runs·P: F·T_sel·P with F = min(N+1, S+1). */
  finalCalls: number
  /** Metric calls over the whole run. */
  metricCalls: number
  /** LM calls made by the metric (metricCalls × J). */
  judgeCalls: number
  /** All LM calls (task + reflection + final + judge). */
  totalCalls: number
  /** Estimated tokens (totalCalls × tokensPerCall). */
  totalTokens: number
  /** Estimated cost, when prices were given (models missing from a per-model table cost 0). */
  cost: number | undefined
}

/**
 * Forecasts LM calls, tokens and cost of a run (formula in docs/simba.md).
 * @example forecastSimba({ trainsetSize: 200, bsize: 32, numCandidates: 6, maxSteps: 8, predictorsPerRun: 1 }).totalCalls
 */
export function forecastSimba(input: ForecastInput): SimbaForecast {
  const t = Math.max(0, Math.floor(input.trainsetSize))
  const b = Math.min(Math.max(1, Math.floor(input.bsize)), Math.max(1, t))
  const n = Math.max(1, Math.floor(input.numCandidates))
  const s = Math.max(0, Math.floor(input.maxSteps))
  const p = Math.max(0, input.predictorsPerRun)
  const c = Math.min(n + 1, b)
  const rolloutRunsPerStep = n * b
  const candidateRunsPerStep = c * b
  const reflectionsPerStep = input.demosEnabled === false ? c : c / 2
  const consolidationsPerStep = input.consolidateAdvice === true ? p : 0
  const taskCallsPerStep = (rolloutRunsPerStep + candidateRunsPerStep) * p
  const baselineCalls = input.faithful !== false || s === 0 ? 0 : b * p
  const f = Math.min(input.finalists === 'best' ? Math.ceil((n + 1) / 2) + 1 : n + 1, s + 1)
  const sel = input.valsetSize ?? t
  // 'best' finalists race: all run on half the selection set, the two best on the rest.
  const raced = input.finalists === 'best' && f > 2 && sel >= 4
  const finalRuns = raced ? f * Math.floor(sel / 2) + 2 * (sel - Math.floor(sel / 2)) : f * sel
  const finalCalls = finalRuns * p
  const metricCalls = s * (rolloutRunsPerStep + candidateRunsPerStep) + (baselineCalls > 0 ? b : 0) + finalRuns
  const judgeCalls = metricCalls * Math.max(0, input.metricLMCalls ?? 0)
  const totalCalls = s * (taskCallsPerStep + reflectionsPerStep + consolidationsPerStep) + baselineCalls + finalCalls + judgeCalls
  const tok = input.tokensPerCall ?? { prompt: 600, completion: 150 }
  const totalTokens = totalCalls * (tok.prompt + tok.completion)
  const perCall = { promptTokens: tok.prompt, completionTokens: tok.completion, totalTokens: tok.prompt + tok.completion }
  const promptPrices = input.promptPrices ?? input.prices
  const reflections = s * (reflectionsPerStep + consolidationsPerStep)
  const cost =
    input.prices === undefined && promptPrices === undefined
      ? undefined
      : (totalCalls - reflections) * costOf(input.prices, input.model ?? '', perCall) +
        reflections * costOf(promptPrices, input.promptModel ?? input.model ?? '', perCall)
  return { rolloutRunsPerStep, candidateRunsPerStep, reflectionsPerStep, consolidationsPerStep, taskCallsPerStep, baselineCalls, finalCalls, metricCalls, judgeCalls, totalCalls, totalTokens, cost }
}
