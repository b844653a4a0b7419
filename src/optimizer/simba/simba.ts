/**
 * SIMBA — Stochastic Introspective Mini-Batch Ascent. A TypeScript port of DSPy's optimizer
 * (stanfordnlp/dspy `dspy/teleprompt/simba.py` and `simba_utils.py`, MIT licence); docs/simba.md
 * describes the algorithm as implemented and every departure from DSPy.
 * The default (`faithful: true`) makes DSPy's search decisions. `faithful: false` turns on the fixes
 * that change the search: scored baseline, no duplicate or blank advice, the blanked side's reward
 * info dropped, "Current Instructions" label, the true softmax where DSPy falls back to uniform,
 * failed runs not passed to the metric.
 * On in both modes, because they do not change the search of a run DSPy completes: a fresh program
 * copy per run, overflow-free softmax, per-predictor LMs (no caller LM mutation), complete trial
 * logs keyed by step, bsize clamping, fail-fast and error budget (stopping with the best program so
 * far once something was learned), warnings when nothing happened, LM-judge calls counted,
 * concurrent rule writing with DSPy's draw order. Opt-in: valset, temperature schedule, fresh
 * rollout ids, budget caps, the metric's trace argument.
 * `mode: 'improved'` is `faithful: false` plus search changes of our own, each an option: a merged
 * candidate per step (`mergeAdvice`) that carries earlier steps' endorsed additions (`carryAdvice`)
 * and has the prompt model consolidate the gathered tips (`consolidateAdvice`), no evaluation of unchanged candidates (`skipUnchanged`), rules
 * instead of demos at the demo cap (`rulesAtDemoCap`), rollout scores credited to their programs
 * (`creditRollouts`), the best winners as finalists (`finalists: 'best'`), a stop once steps change
 * nothing (`patience`), near-greedy candidate sources (`temperatureForCandidates: 0.02`), a warm
 * start with labelled demos (`labeledDemos`) and advice checked against the trainset (`checkAdvice`).
 */
import type { Module } from '../../core/module/module.js'
import { canonicalJson } from '../../internal/json/canonical.js'
import { budgetReached, RunFailedError } from './budget.js'
import { selectFinal, type Winner } from './final.js'
import { forecastSimba, type ForecastInput } from './forecast.js'
import { resolveOptions } from './options.js'
import { SimbaRun } from './simba-run.js'
import { reflectiveStart } from './sweep.js'
import { firstArgMax } from './stats.js'
import { countCandidates, runStep } from './step.js'
import type { CandidateLog, NoProgressReason, ReflectiveStartLog, SimbaEvent, SimbaFailure, SimbaOptions, SimbaResult, SimbaSummary, SimbaWarning, StepLog, StoppedReason } from './types.js'

/** Prices and models for the forecast: `prices` when given, else the task and prompt LMs' own. */
function forecastPrices(program: Module, o: ReturnType<typeof resolveOptions>, options: SimbaOptions<Module>): Pick<ForecastInput, 'prices' | 'model' | 'promptPrices' | 'promptModel'> {
  const task = o.lm ?? program.namedPredictors().find(([, p]) => p.lm)?.[1].lm
  return {
    prices: options.prices ?? task?.prices,
    model: task?.model,
    promptPrices: options.prices ?? o.promptModel?.prices ?? task?.prices,
    promptModel: o.promptModel?.model ?? task?.model,
  }
}

/**
 * Optimizes `program`'s instructions and demos on `trainset` with SIMBA; the caller's program and
 * LMs are not modified. Works from a plain script (no Vitest needed).
 * @example const { program: best, score } = await simba(router, { trainset, metric, lm, seed: 1 })
 */
export async function simba<P extends Module>(program: P, options: SimbaOptions<P>): Promise<SimbaResult<P>> {
  const warnings: SimbaWarning[] = []
  const emit = (e: SimbaEvent): void => {
    if (e.type === 'warning') warnings.push({ code: e.code, message: e.message, ...(e.reasons ? { reasons: [...e.reasons] } : {}) })
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
    predictorsPerRun: program.namedPredictors().length, valsetSize: options.valset?.length, demosEnabled: o.maxDemos > 0, faithful: o.faithful, finalists: o.finalists,
    metricLMCalls: o.metricLMCalls, consolidateAdvice: o.mergeAdvice && o.consolidateAdvice, ...forecastPrices(program, o, options),
  })
  emit({ type: 'start', forecast, bsize: o.bsize, trainsetSize: trainset.length })
  const run = new SimbaRun(program, options, o, emit)
  const winners: Winner[] = [{ id: 0, step: -1 }]
  if (run.warmId !== undefined) winners.push({ id: run.warmId, step: -1 })
  const steps: StepLog[] = []
  const order = run.rng.shuffle(trainset.map((_, i) => i))
  let cursor = 0
  let quiet = 0
  let stoppedReason: StoppedReason = 'completed'
  let failure: SimbaFailure | undefined
  let unfinished: CandidateLog[] = []
  // The program a stop right now would return (the winner with the best mini-batch score), announced when it changes.
  let announced = -1
  // The warm start is what a stop returns until it has been scored (it costs no call and holds only labelled data).
  const currentBest = (): Winner => {
    if (run.warmId !== undefined && run.pool.scoresOf(run.warmId).length === 0) return winners[1] as Winner
    return winners[firstArgMax(winners.map((x) => run.pool.avg(x.id)))] as Winner
  }
  const announceBest = (step: number): void => {
    const w = currentBest()
    if (w.id === announced) return
    announced = w.id
    emit({ type: 'best', step, score: run.pool.avg(w.id), program: run.pool.get(w.id).state(), usage: run.meter.totals() })
  }
  announceBest(-1)
  // Highest step-winner mini-batch score so far (the report's "best so far" too): it never goes down.
  let bestSoFar: number | null = null
  // Only a failure before anything was learned is an error; afterwards the best program so far is returned.
  const stopOnFailure = (error: unknown, step: number): void => {
    if (!(error instanceof RunFailedError) || winners.length < (run.warmId !== undefined ? 3 : 2)) throw error
    stoppedReason = `error:${error.kind}`
    failure = { code: 'SIMBA_ALL_FAILED', step, message: error.message }
    unfinished = error.candidates
  }
  let start: ReflectiveStartLog | undefined
  let startFailed = false
  try {
    start = await reflectiveStart(run)
  } catch (error) {
    stopOnFailure(error, 0)
    startFailed = true
  }
  if (start) emit({ type: 'reflective-start', start: { ...start, examples: [...start.examples] }, usage: run.meter.totals() })
  if (start?.id !== undefined) winners.push({ id: start.id, step: -1 })
  announceBest(-1)
  // A kept reflective start counts as one of the `maxSteps` steps (it is one round of search).
  const stepsLeft = startFailed ? 0 : start?.id !== undefined ? Math.max(0, o.maxSteps - 1) : o.maxSteps
  for (let t = 0; t < stepsLeft; t++) {
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
    let out: Awaited<ReturnType<typeof runStep<P>>>
    try {
      out = await runStep(run, t, batch, idx.map((i) => trainset[i]?.id ?? i))
    } catch (error) {
      stopOnFailure(error, t)
      break
    }
    const { log, winner, stopped } = out
    steps.push(log)
    if (winner) winners.push(winner)
    if (stopped) stoppedReason = stopped
    if (log.winner && (bestSoFar === null || log.winner.score > bestSoFar)) bestSoFar = log.winner.score
    emit({ type: 'step-end', step: t, winner: log.winner, bestSoFar, wanted: o.mergeAdvice ? o.numCandidates : o.numCandidates + 1, usage: run.meter.totals(), counts: countCandidates(log.candidates) })
    announceBest(t)
    if (stopped) break
    // Nothing changed the program for `patience` steps in a row: the mini-batches are solved.
    quiet = countCandidates(log.candidates).applied === 0 ? quiet + 1 : 0
    if (o.patience > 0 && quiet >= o.patience && t < stepsLeft - 1) {
      stoppedReason = 'plateau'
      break
    }
  }
  if (stoppedReason === 'completed') stoppedReason = budgetReached(run.meter.totals(), options.budget) ?? 'completed'
  let sel: Awaited<ReturnType<typeof selectFinal<P>>> | undefined
  if (stoppedReason === 'completed' || stoppedReason === 'plateau') {
    const selection = options.valset ?? trainset
    try {
      sel = await selectFinal(winners, o.finalists === 'best' ? Math.ceil((o.numCandidates + 1) / 2) + 1 : o.numCandidates + 1, (id) => run.pool.get(id), async (p, start = 0, end = selection.length) => {
        const rs = await run.evaluateOn(p, selection.slice(start, end))
        run.errors.add(rs, 'final evaluation')
        return rs
      }, o.finalists === 'best' ? (i) => run.pool.avg((winners[i] as Winner).id) : undefined, o.finalists === 'best' ? selection.length : undefined)
    } catch (error) {
      stopOnFailure(error, steps.length)
    }
  }
  let result: Omit<SimbaResult<P>, 'usage' | 'summary' | 'warnings' | 'settings'>
  if (sel) {
    for (const f of sel.finalists) {
      const s = steps[f.step]
      if (s) s.finalScore = f.score
    }
    result = { program: sel.best, score: sel.bestScore, candidatePrograms: sel.candidatePrograms, trialLogs: { steps, final: sel.finalists, ...(start ? { start } : {}) }, stoppedReason, forecast }
  } else {
    // Stopped early (budget or failures): no final evaluation; the winner with the best mini-batch score so far.
    const w = currentBest()
    const score = run.pool.avg(w.id)
    result = { program: run.pool.get(w.id).clone(), score, candidatePrograms: [{ score, program: run.pool.get(w.id).clone() }], trialLogs: { steps, final: [], ...(start ? { start } : {}) }, stoppedReason, forecast }
    if (failure) result.failure = failure
  }
  const processed = [...steps.flatMap((s) => s.candidates), ...unfinished]
  const summary = summarize(processed, steps.length, run.errors.runErrors, canonicalJson(result.program.state()) === canonicalJson(run.pool.get(0).state()))
  const warning = noProgressWarning(summary, processed)
  if (warning) emit({ type: 'warning', ...warning })
  const usage = run.meter.totals()
  if (sel) emit({ type: 'best', step: steps.length, score: result.score, program: result.program.state(), usage, final: true })
  emit({ type: 'final', score: result.score, finalists: result.trialLogs.final, stoppedReason, usage, ...(failure ? { failure } : {}), summary })
  return { ...result, usage, summary, warnings, settings: effectiveSettings(o, options) }
}

/** The resolved options as plain JSON: numbers, strings and booleans as used, LMs by model name. */
function effectiveSettings(o: ReturnType<typeof resolveOptions>, options: SimbaOptions<Module>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(o)) {
    if (typeof value === 'number') out[key] = Number.isFinite(value) ? value : null
    else if (typeof value === 'string' || typeof value === 'boolean') out[key] = value
    else if (value !== null && typeof value === 'object' && typeof (value as { model?: unknown }).model === 'string') out[key] = (value as { model: string }).model
  }
  if (options.temperatureSchedule) out['temperatureSchedule'] = [...options.temperatureSchedule]
  if (options.teacherSettings?.lm) out['teacherModel'] = options.teacherSettings.lm.model
  if (options.budget) out['budget'] = JSON.parse(JSON.stringify(options.budget)) as unknown
  if (options.prices) out['prices'] = JSON.parse(JSON.stringify(options.prices)) as unknown
  return out
}

/** Run-wide counts from every processed candidate (including those of a step a failure cut short). */
function summarize(candidates: readonly CandidateLog[], steps: number, runErrors: number, unchanged: boolean): SimbaSummary {
  return { steps, ...countCandidates(candidates), runErrors, unchanged }
}

/** One SIMBA_NO_PROGRESS warning when every candidate was gated, every rule call failed, or the result is the baseline. */
function noProgressWarning(summary: SimbaSummary, candidates: readonly CandidateLog[]): SimbaWarning | undefined {
  if (summary.steps === 0) return undefined
  const reasons: NoProgressReason[] = []
  const parts: string[] = []
  const processed = candidates.length
  if (processed > 0 && summary.gated === processed) {
    reasons.push('all-gated')
    parts.push(`every candidate (${summary.gated} of ${processed} over ${summary.steps} steps) was stopped by a percentile gate because the rollout scores barely varied; try a larger bsize, a graded metric (partial credit), or more numCandidates`)
  }
  if (summary.ruleCalls > 0 && summary.ruleFailures === summary.ruleCalls) {
    const first = candidates.find((c) => c.ruleCall === 'failed')?.reason ?? 'unknown error'
    reasons.push('all-rules-failed')
    parts.push(`every rule-writer call failed (${summary.ruleFailures} of ${summary.ruleCalls}; first error: "${first}"); check promptModel (or lm): model, baseURL and API key`)
  }
  if (summary.unchanged) {
    reasons.push('unchanged')
    parts.push(`the returned program is the unchanged baseline (candidates over ${summary.steps} steps: ${summary.applied} applied, ${summary.skipped} skipped, ${summary.failed} failed)`)
  }
  if (reasons.length === 0) return undefined
  return { code: 'SIMBA_NO_PROGRESS', message: `no progress: ${parts.join('; ')}`, reasons }
}
