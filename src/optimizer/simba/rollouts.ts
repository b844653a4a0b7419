/**
 * Rollouts of one step: for slot m (outer) and example j (inner) one softmax draw picks the pool
 * program; all N·B runs then go out at once through the limiter. Results are index-aligned
 * (`outs[m·B + j]`) whatever the completion order. Each run works on its own copy of the drawn
 * program (cheap: predictors, demos and plain state are copied, LMs shared); the slot LM is
 * applied per call through `mapLM`, so the caller's LMs are never changed.
 */
import type { Example } from '../../core/example/example.js'
import type { Metric } from '../../core/evaluate/metric.js'
import type { LanguageModel } from '../../core/lm/types.js'
import type { Module } from '../../core/module/module.js'
import type { Limiter } from '../../internal/concurrency/limiter.js'
import type { Rng } from '../../internal/rng/prng.js'
import { slotMapper, type SlotPlan } from './lms.js'
import type { UsageMeter } from './meter.js'
import type { Pool } from './pool.js'
import { runAndScore } from './run.js'
import { softmaxPick } from './sampling.js'
import type { RunRecord } from './strategies/types.js'

/** Inputs of the rollout phase. */
export interface RolloutPhase<P extends Module> {
  pool: Pool<P>
  batch: readonly Example[]
  rng: Rng
  plan: SlotPlan
  temperatureForSampling: number
  metric: Metric
  lm: LanguageModel | undefined
  limiter: Limiter
  meter: UsageMeter
  /** DSPy's exact sampling fallback and failed-run scoring. */
  faithful: boolean
  /** Counting mapper for LMs the metric calls (judges keep their own LM settings). */
  metricMapLM: (lm: LanguageModel) => LanguageModel
  /** Pass the trace to the metric. */
  metricTrace: boolean
}

/** Draws programs for every (slot, example) pair, then runs and scores them concurrently. */
export async function runRollouts<P extends Module>(phase: RolloutPhase<P>): Promise<RunRecord[]> {
  const { pool, batch, rng, plan } = phase
  const top = pool.top(plan.slots)
  const jobs: Array<{ id: number; slot: number; example: Example }> = []
  for (let m = 0; m < plan.slots; m++) {
    for (const example of batch) jobs.push({ id: softmaxPick(rng, top, pool.avg, phase.temperatureForSampling, phase.faithful), slot: m, example })
  }
  const memo = new Map<LanguageModel, Map<string, LanguageModel>>()
  const mappers = Array.from({ length: plan.slots }, (_, m) => slotMapper(plan, m, phase.meter, memo))
  return Promise.all(
    jobs.map((job) =>
      phase.limiter.run(async () => {
        const settings = { lm: phase.lm, mapLM: mappers[job.slot] as (lm: LanguageModel) => LanguageModel, metricMapLM: phase.metricMapLM, faithful: phase.faithful, metricTrace: phase.metricTrace }
        const rec = await runAndScore(pool.copyForRun(job.id), job.example, phase.metric, settings)
        return { ...rec, programId: job.id, slot: job.slot }
      }),
    ),
  )
}
