/**
 * SIMBA — Stochastic Introspective Mini-Batch Ascent. A TypeScript port of DSPy's optimizer
 * (stanfordnlp/dspy `dspy/teleprompt/simba.py` and `simba_utils.py`, MIT licence), written from the
 * behaviour described in /work/shared/design/simba.md; departures are marked in each file header
 * and tabulated in ./README.md.
 * Fixes that change the search (default on, off with `faithful: true`): scored baseline, no
 * duplicate or blank advice, blanked side's reward info dropped, "Current Instructions" label,
 * true softmax where DSPy falls back to uniform, failed runs not passed to the metric.
 * Fixes on in both modes: overflow-free softmax, per-predictor LMs (no caller LM mutation), complete
 * trial logs keyed by step, bsize clamping, fail-fast and error budget, concurrent rule writing
 * with DSPy's draw order. Opt-in: valset, temperature schedule, fresh rollout ids, budget caps.
 */
import type { Module } from '../../core/module/module.js'
import { budgetReached } from './budget.js'
import { selectFinal, type Winner } from './final.js'
import { forecastSimba } from './forecast.js'
import { resolveOptions } from './options.js'
import { SimbaRun } from './simba-run.js'
import { firstArgMax } from './stats.js'
import { runStep } from './step.js'
import type { SimbaEvent, SimbaOptions, SimbaResult, StepLog, StoppedReason } from './types.js'

/**
 * Optimizes `program`'s instructions and demos on `trainset` with SIMBA; the caller's program and
 * LMs are not modified. Works from a plain script (no Vitest needed).
 * @example const { program: best, score } = await simba(router, { trainset, metric, lm, seed: 1 })
 */
export async function simba<P extends Module>(program: P, options: SimbaOptions<P>): Promise<SimbaResult<P>> {
  const emit = (e: SimbaEvent): void => {
    try {
      options?.onProgress?.(e)
    } catch {
      // A failing progress listener must not break the optimization.
    }
  }
  const o = resolveOptions(program, options, emit)
  const trainset = options.trainset
  const forecast = forecastSimba({
    trainsetSize: trainset.length, bsize: o.bsize, numCandidates: o.numCandidates, maxSteps: o.maxSteps,
    predictorsPerRun: program.namedPredictors().length, valsetSize: options.valset?.length, demosEnabled: o.maxDemos > 0, faithful: o.faithful, prices: options.prices,
  })
  emit({ type: 'start', forecast, bsize: o.bsize, trainsetSize: trainset.length })
  const run = new SimbaRun(program, options, o, emit)
  const winners: Winner[] = [{ id: 0, step: -1 }]
  const steps: StepLog[] = []
  const order = run.rng.shuffle(trainset.map((_, i) => i))
  let cursor = 0
  let stoppedReason: StoppedReason = 'completed'
  for (let t = 0; t < o.maxSteps; t++) {
    const reached = budgetReached(run.meter.totals(), options.budget)
    if (reached) {
      stoppedReason = reached
      break
    }
    if (cursor + o.bsize > trainset.length) {
      run.rng.shuffle(order)
      cursor = 0
    }
    const idx = order.slice(cursor, cursor + o.bsize)
    cursor += o.bsize
    const batch = idx.map((i) => trainset[i] as (typeof trainset)[number])
    const { log, winner, stopped } = await runStep(run, t, batch, idx.map((i) => trainset[i]?.id ?? i))
    steps.push(log)
    if (winner) winners.push(winner)
    if (stopped) stoppedReason = stopped
    const best = Math.max(...winners.map((w) => run.pool.avg(w.id)))
    emit({ type: 'step-end', step: t, winner: log.winner, bestSoFar: best, usage: run.meter.totals() })
    if (stopped) break
  }
  stoppedReason = stoppedReason === 'completed' ? (budgetReached(run.meter.totals(), options.budget) ?? 'completed') : stoppedReason
  if (stoppedReason !== 'completed') {
    // Out of budget: no final evaluation; return the winner with the best mini-batch score so far.
    const k = firstArgMax(winners.map((w) => run.pool.avg(w.id)))
    const w = winners[k] as Winner
    const score = run.pool.avg(w.id)
    const finalLog = { type: 'final' as const, score, finalists: [], stoppedReason, usage: run.meter.totals() }
    emit(finalLog)
    const best = run.pool.get(w.id).clone()
    return { program: best, score, candidatePrograms: [{ score, program: run.pool.get(w.id).clone() }], trialLogs: { steps, final: [] }, usage: finalLog.usage, stoppedReason, forecast }
  }
  const selection = options.valset ?? trainset
  const sel = await selectFinal(winners, o.numCandidates + 1, (id) => run.pool.get(id), async (p) => {
    const rs = await run.evaluateOn(p, selection)
    run.errors.add(rs, 'final evaluation')
    return rs
  })
  for (const f of sel.finalists) {
    const s = steps[f.step]
    if (s) s.finalScore = f.score
  }
  const usage = run.meter.totals()
  emit({ type: 'final', score: sel.bestScore, finalists: sel.finalists, stoppedReason, usage })
  return { program: sel.best, score: sel.bestScore, candidatePrograms: sel.candidatePrograms, trialLogs: { steps, final: sel.finalists }, usage, stoppedReason, forecast }
}
