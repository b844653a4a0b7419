/**
 * One program run plus its score (DSPy's `wrap_program`, simba.md §3.0): never throws; a program
 * or metric error becomes score 0 with the error recorded. Every non-score field of a metric record
 * (`feedback` and any others) becomes the run's output metadata, the rule writer's reward info.
 * Departure (default mode): when the program throws, the metric is not called (score 0). DSPy calls
 * `metric(example, None)` anyway — `faithful: true` does the same with `null` and keeps a usable
 * score (the run still counts as failed). The metric also receives the trace as a third argument
 * (DSPy passes two; a two-parameter metric is unaffected).
 */
import type { Example } from '../../core/example/example.js'
import { scoreCase, type Metric } from '../../core/evaluate/metric.js'
import type { LanguageModel } from '../../core/lm/types.js'
import type { Module } from '../../core/module/module.js'
import { withSettings } from '../../core/module/settings.js'
import { runWithTrace, type TraceStep } from '../../core/trace/trace.js'
import type { RunRecord } from './strategies/types.js'

/** LM settings for one run: default LM and the per-call LM rewrite. */
export interface RunSettings {
  /** LM for predictors without their own. */
  lm?: LanguageModel
  /** Rewrites each predictor's LM (rollout copy or metered own LM). */
  mapLM: (lm: LanguageModel) => LanguageModel
  /** DSPy's behaviour: score a failed run with `metric(example, null)` (default false). */
  faithful?: boolean
}

/** Scores `prediction`, keeping every non-score field of a record result as metadata. */
async function score(metric: Metric, example: Example, prediction: Record<string, unknown> | null, trace: TraceStep[]): Promise<{ score: number; meta: Record<string, unknown>; error?: string }> {
  let raw: unknown
  const capture: Metric = async (e, p, t) => (raw = await metric(e, p, t)) as never
  const scored = await scoreCase(capture, example, prediction, trace)
  if (scored.error !== undefined) return { score: 0, meta: {}, error: scored.error }
  const meta: Record<string, unknown> = {}
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    for (const [k, v] of Object.entries(raw)) if (k !== 'score' && v !== undefined) meta[k] = v
  }
  return { score: scored.score, meta }
}

/** Runs `program` on `example` and scores it; returns a run record, never throws. */
export async function runAndScore(program: Module, example: Example, metric: Metric, settings: RunSettings): Promise<RunRecord> {
  const run = await runWithTrace(() => withSettings({ lm: settings.lm, mapLM: settings.mapLM }, () => program.forward(example.inputs())))
  if ('error' in run) {
    const record: RunRecord = { prediction: null, trace: run.trace, score: 0, example, outputMetadata: {}, error: run.error }
    if (settings.faithful) {
      const s = await score(metric, example, null, run.trace)
      record.score = s.score
      record.outputMetadata = s.meta
    }
    return record
  }
  const prediction = run.result as Record<string, unknown>
  const s = await score(metric, example, prediction, run.trace)
  const record: RunRecord = { prediction, trace: run.trace, score: s.score, example, outputMetadata: s.meta }
  if (s.error !== undefined) record.error = new Error(s.error)
  return record
}

/** Short text of a run error, for logs and SimbaError messages. */
export function errorText(error: unknown): string {
  const msg = error instanceof Error ? error.message : String(error)
  return msg.split('\n')[0] ?? msg
}
