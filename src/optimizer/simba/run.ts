/**
 * One program run plus its score (DSPy's `wrap_program`, simba.md §3.0): never throws; a program
 * or metric error becomes score 0 with the error recorded. Metric feedback becomes output metadata.
 */
import type { Example } from '../../core/example/example.js'
import { scoreCase, type Metric } from '../../core/evaluate/metric.js'
import type { LanguageModel } from '../../core/lm/types.js'
import type { Module } from '../../core/module/module.js'
import { withSettings } from '../../core/module/settings.js'
import { runWithTrace } from '../../core/trace/trace.js'
import type { RunRecord } from './strategies/types.js'

/** LM settings for one run: default LM and the per-call LM rewrite. */
export interface RunSettings {
  /** LM for predictors without their own. */
  lm?: LanguageModel
  /** Rewrites each predictor's LM (rollout copy or metered own LM). */
  mapLM: (lm: LanguageModel) => LanguageModel
}

/** Runs `program` on `example` and scores it; returns a run record, never throws. */
export async function runAndScore(program: Module, example: Example, metric: Metric, settings: RunSettings): Promise<RunRecord> {
  const run = await runWithTrace(() => withSettings({ lm: settings.lm, mapLM: settings.mapLM }, () => program.forward(example.inputs())))
  const prediction = 'error' in run ? null : (run.result as Record<string, unknown>)
  if ('error' in run) {
    return { prediction: null, trace: run.trace, score: 0, example, outputMetadata: {}, error: run.error }
  }
  const scored = await scoreCase(metric, example, prediction, run.trace)
  const record: RunRecord = { prediction, trace: run.trace, score: scored.score, example, outputMetadata: {} }
  if (scored.feedback !== undefined) record.outputMetadata = { feedback: scored.feedback }
  if (scored.error !== undefined) record.error = new Error(scored.error)
  return record
}

/** Short text of a run error, for logs and SimbaError messages. */
export function errorText(error: unknown): string {
  const msg = error instanceof Error ? error.message : String(error)
  return msg.split('\n')[0] ?? msg
}
