/**
 * One program run plus its score (DSPy's run-and-score wrapper): never throws; a program or metric
 * error becomes score 0 with the error recorded. Every non-score field of a metric record
 * (`feedback` and any others) becomes the run's output metadata, the rule writer's reward info.
 *
 * The metric is called as `metric(example, prediction)`, without a trace, as DSPy's SIMBA does;
 * `metricTrace: true` adds the trace as a third argument. It runs with the optimizer's counting LM
 * mapper, so an LM judge built on `Predict` is counted in usage and budgets.
 * When the program throws, DSPy still calls `metric(example, None)`: the default (faithful) mode
 * does the same with `null` and keeps a usable score (the run still counts as failed);
 * `faithful: false` skips the metric and scores 0.
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
  /** Rewrites the LMs of predictors the metric calls (an LM judge): counting only (default: `mapLM`). */
  metricMapLM?: (lm: LanguageModel) => LanguageModel
  /** DSPy's behaviour: score a failed run with `metric(example, null)` (default false). */
  faithful?: boolean
  /** Pass the trace as the metric's third argument (default false, as DSPy's SIMBA). */
  metricTrace?: boolean
}

/** Scores `prediction`, keeping every non-score field of a record result as metadata. */
async function score(metric: Metric, example: Example, prediction: Record<string, unknown> | null, trace: TraceStep[], settings: RunSettings): Promise<{ score: number; meta: Record<string, unknown>; error?: string }> {
  let raw: unknown
  const capture: Metric = async (e, p, t) => (raw = await (settings.metricTrace ? metric(e, p, t) : metric(e, p))) as never
  const mapLM = settings.metricMapLM ?? settings.mapLM
  const scored = await withSettings({ lm: settings.lm, mapLM }, () => scoreCase(capture, example, prediction, trace))
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
      const s = await score(metric, example, null, run.trace, settings)
      record.score = s.score
      record.outputMetadata = s.meta
    }
    return record
  }
  const prediction = run.result as Record<string, unknown>
  const s = await score(metric, example, prediction, run.trace, settings)
  const record: RunRecord = { prediction, trace: run.trace, score: s.score, example, outputMetadata: s.meta }
  if (s.error !== undefined) record.error = new Error(s.error)
  return record
}

/** Short text of a run error, for logs and SimbaError messages. */
export function errorText(error: unknown): string {
  const msg = error instanceof Error ? error.message : String(error)
  return msg.split('\n')[0] ?? msg
}
