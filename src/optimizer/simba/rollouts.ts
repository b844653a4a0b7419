/**
 * Rollouts of one step (simba.md §3.2 step 3): for slot m (outer) and example j (inner) one
 * softmax draw picks the pool program; all N·B runs then go out at once through the limiter.
 * Results are index-aligned (`outs[m·B + j]`) whatever the completion order. No per-rollout
 * clones: pool programs are immutable and the slot LM is applied through `mapLM` (simba.md §9.3).
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
        const settings = { lm: phase.lm, mapLM: mappers[job.slot] as (lm: LanguageModel) => LanguageModel, faithful: phase.faithful }
        const rec = await runAndScore(pool.get(job.id), job.example, phase.metric, settings)
        return { ...rec, programId: job.id, slot: job.slot }
      }),
    ),
  )
}
