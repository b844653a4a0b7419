/**
 * One SIMBA step: rollouts, buckets and percentiles, candidates, winner, registration.
 * With `faithful: false` (off by default, since it changes the search) the baseline is also scored
 * on the first step's mini-batch (B extra runs, concurrent with candidate building), so its pool
 * average is a real score instead of DSPy's permanent 0.0, which biases program sampling against
 * it (or toward it when scores are negative). With `creditRollouts` each rollout's score is added
 * to the program that ran it; with `mergeAdvice` N candidates are built, then one merged candidate
 * (the winner plus the other good candidates' additions, plus earlier steps' with `carryAdvice`,
 * its tips rewritten with `consolidateAdvice`) is scored and may replace the winner.
 */
import type { Example } from '../../core/example/example.js'
import type { Module } from '../../core/module/module.js'
import { canonicalJson } from '../../internal/json/canonical.js'
import { budgetReached, RunFailedError } from './budget.js'
import { buildBuckets } from './buckets.js'
import { buildAndScore, type BuiltCandidate } from './candidates.js'
import { additionsOver, type Additions } from './memory.js'
import { consolidateAdvice, normParagraph, paragraphs, type FailedCase } from './strategies/consolidate.js'
import type { Winner } from './final.js'
import type { Pool } from './pool.js'
import type { SimbaRun } from './simba-run.js'
import { runRollouts } from './rollouts.js'
import type { RunRecord } from './strategies/types.js'
import { firstArgMax, mean, percentile } from './stats.js'
import type { CandidateCounts, CandidateLog, StepLog, StoppedReason } from './types.js'

/** Counts of a list of candidate logs (one step, or a whole run). */
export function countCandidates(logs: readonly CandidateLog[]): CandidateCounts {
  // A thinned copy of the winner (`thinDemos`) is not built from a bucket: it is left out of the counts.
  const n = (f: (c: CandidateLog) => boolean): number => logs.filter((c) => c.strategy !== 'thin' && f(c)).length
  return {
    built: n((c) => c.outcome !== 'failed' && c.kept !== false),
    applied: n((c) => c.outcome === 'applied'),
    skipped: n((c) => c.outcome === 'skipped'),
    gated: n((c) => c.gated === true),
    failed: n((c) => c.outcome === 'failed'),
    merged: n((c) => c.strategy === 'merge'),
    ruleCalls: n((c) => c.ruleCall !== undefined),
    ruleFailures: n((c) => c.ruleCall === 'failed'),
  }
}

/** Runs step `t` on `batch`; returns its log and the winner (if any candidate was built). */
export async function runStep<P extends Module>(run: SimbaRun<P>, t: number, batch: readonly Example[], batchIds: Array<string | number>): Promise<{ log: StepLog; winner?: Winner; stopped?: StoppedReason }> {
  const { o, pool } = run
  run.emit({ type: 'step-start', step: t, batch: batchIds })
  const rolloutOffset = o.freshRolloutIds ? t * o.numCandidates : 0
  const plan = { slots: o.numCandidates, temperatureSchedule: run.options.temperatureSchedule, teacherSettings: run.options.teacherSettings, rolloutOffset }
  const outs = await runRollouts({ pool, batch, rng: run.rng, plan, temperatureForSampling: o.temperatureForSampling, metric: run.options.metric, lm: o.lm, limiter: run.limiter, meter: run.meter, faithful: o.faithful, metricMapLM: run.own, metricTrace: o.metricTrace })
  const rolloutErrors = run.errors.add(outs, `rollout (step ${t})`, true)
  const scores = outs.map((r) => r.score)
  const p10 = percentile(scores, 10)
  const p90 = percentile(scores, 90)
  const log: StepLog = { step: t, batch: batchIds, rolloutMean: mean(scores), p10, p90, rolloutErrors, candidates: [], winner: null }
  run.emit({ type: 'rollouts-done', step: t, mean: log.rolloutMean, p10, p90, errors: rolloutErrors })
  // Credit each rollout to the program that ran it, so pool averages span several mini-batches.
  if (o.creditRollouts) for (const r of outs) if (r.programId !== undefined) pool.addScores(r.programId, [r.score])
  const stopped = budgetReached(run.meter.totals(), run.options.budget)
  if (stopped) return { log, stopped }
  const buckets = buildBuckets(outs, batch.length, o.numCandidates)
  const evaluate = (p: P) => run.evaluateOn(p, batch)
  // With `creditRollouts` the baseline is scored by the rollouts it ran, like the warm start.
  const baselineRuns = !o.faithful && t === 0 && !(o.creditRollouts && pool.scoresOf(0).length > 0) ? evaluate(pool.get(0)) : undefined
  // The warm start is scored by the rollouts it ran (`creditRollouts`), else on the first mini-batch.
  const warmRuns = run.warmId !== undefined && t === 0 && !(o.creditRollouts && pool.scoresOf(run.warmId).length > 0) ? evaluate(pool.get(run.warmId)) : undefined
  const { built, logs } = await buildAndScore({
    pool, buckets, rng: run.rng, poisson: run.poisson, numCandidates: o.numCandidates, maxDemos: o.maxDemos,
    want: o.mergeAdvice ? o.numCandidates : o.numCandidates + 1, skipUnchanged: o.skipUnchanged, rulesAtDemoCap: o.rulesAtDemoCap,
    temperatureForCandidates: o.temperatureForCandidates, schedule: o.schedule, faithful: o.faithful, evaluate,
    isFixedDemo: run.warmDemos.size > 0 ? run.isWarmDemo : undefined,
    strategyContext: { nameOf: pool.nameOf, p10, p90, demoInputFieldMaxlen: o.demoInputFieldMaxlen, promptModel: run.promptModel, faithful: o.faithful, dedupeAdvice: o.dedupeAdvice, checkAdvice: run.checkAdvice },
    onBuilt: (c) => run.emit({ type: 'candidate', step: t, phase: 'built', candidate: { ...c } }),
  })
  log.candidates = logs
  try {
    return await finishStep(run, t, log, built, baselineRuns, batch, warmRuns)
  } catch (error) {
    if (error instanceof RunFailedError) error.candidates = logs
    throw error
  }
}

/** Error accounting, registration and the winner of step `t`, once its candidates are built. */
async function finishStep<P extends Module>(run: SimbaRun<P>, t: number, log: StepLog, built: Array<BuiltCandidate<P>>, baselineRuns: Promise<RunRecord[]> | undefined, batch: readonly Example[], warmRuns?: Promise<RunRecord[]>): Promise<{ log: StepLog; winner?: Winner }> {
  const { pool } = run
  run.errors.addRuleFailures(log.candidates.filter((c) => c.ruleCall === 'failed').map((c) => c.reason ?? 'failed'), `rule writing (step ${t})`)
  if (baselineRuns) {
    const rs = await baselineRuns
    run.errors.add(rs, `baseline evaluation (step ${t})`)
    pool.addScores(0, rs.map((r) => r.score))
    log.baselineScore = mean(rs.map((r) => r.score))
  }
  if (warmRuns && run.warmId !== undefined) {
    const rs = await warmRuns
    run.errors.add(rs, `warm-start evaluation (step ${t})`)
    pool.addScores(run.warmId, rs.map((r) => r.score))
    log.warmStartScore = mean(rs.map((r) => r.score))
  }
  const means = built.map((c) => mean(c.runs.map((r) => r.score)))
  for (const [i, c] of built.entries()) {
    run.errors.add(c.runs, `candidate evaluation (step ${t})`)
    c.log.score = means[i]
    c.log.id = pool.register(c.program, c.runs.map((r) => r.score))
    run.emit({ type: 'candidate', step: t, phase: 'evaluated', candidate: { ...c.log } })
  }
  const w = firstArgMax(means)
  if (w < 0) return { log }
  const winner = built[w] as (typeof built)[number]
  log.winner = { id: winner.log.id as number, score: means[w] as number }
  if (run.o.mergeAdvice) {
    const others = built.filter((c, i) => i !== w && c.log.outcome === 'applied' && (means[i] as number) >= log.rolloutMean)
    const added = others.map((c) => additionsOver(c.program, pool.get(c.log.sourceId)))
    let merged = mergeAdditions(winner.program, added, run.o.maxDemos, run.o.carryAdvice ? run.memory.all() : undefined, run.warmDemos.size > 0 ? run.isWarmDemo : undefined)
    if (run.o.carryAdvice) {
      for (const a of [additionsOver(winner.program, pool.get(winner.log.sourceId)), ...added]) run.memory.remember(a)
    }
    let consolidated = false
    if (run.o.consolidateAdvice && run.promptModel) {
      const c = await consolidateAdvice(merged ?? winner.program, pool.get(0), run.promptModel, run.consolidated, failedCases(winner.runs), 2, run.checkAdvice)
      run.errors.addRuleFailures(c.failures, `advice consolidation (step ${t})`)
      if (c.program) {
        merged = c.program
        consolidated = true
      }
    }
    if (merged) {
      const runs = await run.evaluateOn(merged, batch)
      run.errors.add(runs, `merged candidate evaluation (step ${t})`)
      const score = mean(runs.map((r) => r.score))
      const mlog: CandidateLog = { id: undefined, sourceId: winner.log.id as number, bucketExample: -1, strategy: 'merge', outcome: 'applied', droppedDemos: [], score, ...(consolidated ? { consolidated: true } : {}) }
      mlog.id = pool.register(merged, runs.map((r) => r.score))
      log.candidates.push(mlog)
      run.emit({ type: 'candidate', step: t, phase: 'built', candidate: { ...mlog } })
      run.emit({ type: 'candidate', step: t, phase: 'evaluated', candidate: { ...mlog } })
      if (score >= (means[w] as number)) {
        log.winner = { id: mlog.id, score }
        return thinned(run, t, log, batch, { id: mlog.id, step: t }, score)
      }
    }
  }
  return thinned(run, t, log, batch, { id: winner.log.id as number, step: t }, means[w] as number)
}

/**
 * `thinDemos`: when the step's winner carries more labelled warm-start demos than it has distinct
 * outputs among them, a copy keeping one warm demo per output is scored on the mini-batch and
 * replaces the winner when it scores at least as well (a shorter prompt that teaches as much).
 */
async function thinned<P extends Module>(run: SimbaRun<P>, t: number, log: StepLog, batch: readonly Example[], winner: Winner, score: number): Promise<{ log: StepLog; winner?: Winner }> {
  if (!run.o.thinDemos || run.warmDemos.size === 0 || run.thinRejected) return { log, winner }
  const thin = thinWarmDemos(run.pool.get(winner.id), run.isWarmDemo)
  if (!thin) return { log, winner }
  const runs = await run.evaluateOn(thin, batch)
  run.errors.add(runs, `thinned candidate evaluation (step ${t})`)
  const s = mean(runs.map((r) => r.score))
  const tlog: CandidateLog = { id: undefined, sourceId: winner.id, bucketExample: -1, strategy: 'thin', outcome: 'applied', droppedDemos: [], score: s }
  // A copy that scores no higher is a probe, not a candidate: it does not join the pool, so the
  // search goes on as without it.
  if (s <= score) {
    run.thinRejected = true
    tlog.outcome = 'skipped'
    tlog.reason = `thinned copy scored ${s} <= winner ${score}`
  } else tlog.id = run.pool.register(thin, runs.map((r) => r.score))
  log.candidates.push(tlog)
  run.emit({ type: 'candidate', step: t, phase: 'built', candidate: { ...tlog } })
  run.emit({ type: 'candidate', step: t, phase: 'evaluated', candidate: { ...tlog } })
  if (tlog.id === undefined) return { log, winner }
  log.winner = { id: tlog.id, score: s }
  return { log, winner: { id: tlog.id, step: t } }
}

/** A copy of `program` whose predictors keep one warm demo (`isWarm`) per distinct output; undefined when nothing would change. */
export function thinWarmDemos<P extends Module>(program: P, isWarm: (d: Record<string, unknown>) => boolean): P | undefined {
  const copy = program.clone()
  let changed = false
  for (const [, p] of copy.namedPredictors()) {
    const outs = p.signature.outputFields.map((f) => f.name).filter((n) => n !== 'reasoning')
    const warm = p.demos.filter((d) => isWarm(d))
    const distinct = new Set(warm.map((d) => canonicalJson(outs.map((n) => d[n] ?? null)))).size
    if (warm.length <= distinct) continue
    const kept = new Set(keepDemos(warm, distinct, outs))
    p.demos = p.demos.filter((d) => !isWarm(d) || kept.has(d))
    changed = true
  }
  return changed ? copy : undefined
}

/** Up to 8 runs that scored below 1, lowest first (ties in batch order), as the consolidator sees them. */
export function failedCases(runs: readonly RunRecord[], max = 8): FailedCase[] {
  return runs
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.score < 1)
    .sort((a, b) => a.r.score - b.r.score || a.i - b.i)
    .slice(0, max)
    .map(({ r }) => ({ inputs: r.example.inputs(), outputs: r.prediction, expected: r.example.labels(), ...(r.outputMetadata['feedback'] !== undefined ? { feedback: r.outputMetadata['feedback'] } : {}) }))
}

/**
 * `max` of `demos` (oldest first), preferring demos whose outputs differ: newest first, one per
 * distinct output (compared on `outputNames`), then the newest of the rest; kept in their order.
 * Demos showing the same answer twice teach less than demos of two answers.
 */
export function keepDemos<D extends Record<string, unknown>>(demos: readonly D[], max: number, outputNames: readonly string[]): D[] {
  if (demos.length <= max) return [...demos]
  const keyOf = (d: D): string => canonicalJson(outputNames.map((n) => d[n] ?? null))
  const chosen = new Set<number>()
  const seen = new Set<string>()
  for (let i = demos.length - 1; i >= 0 && chosen.size < max; i--) {
    const k = keyOf(demos[i] as D)
    if (seen.has(k)) continue
    seen.add(k)
    chosen.add(i)
  }
  for (let i = demos.length - 1; i >= 0 && chosen.size < max; i--) chosen.add(i)
  return demos.filter((_, i) => chosen.has(i))
}

/**
 * The winner plus what each of `others` added to its own source program, then the `remembered`
 * additions of earlier steps (`carryAdvice`): instruction paragraphs the winner lacks (compared
 * case- and whitespace-insensitively) and demos it lacks, per predictor name; each predictor keeps
 * `maxDemos` demos (all when `maxDemos <= 0`), newest first with distinct outputs preferred
 * (`keepDemos`). Undefined when nothing would change.
 */
export function mergeCandidates<P extends Module>(pool: Pool<P>, winner: BuiltCandidate<P>, others: ReadonlyArray<BuiltCandidate<P>>, maxDemos: number, remembered?: ReadonlyMap<string, Additions>, isFixedDemo?: (d: Record<string, unknown>) => boolean): P | undefined {
  return mergeAdditions(winner.program, others.map((c) => additionsOver(c.program, pool.get(c.log.sourceId))), maxDemos, remembered, isFixedDemo)
}

/** `mergeCandidates` on additions already computed (each candidate's over its own source). */
function mergeAdditions<P extends Module>(winner: P, added: ReadonlyArray<ReadonlyMap<string, Additions>>, maxDemos: number, remembered?: ReadonlyMap<string, Additions>, isFixedDemo?: (d: Record<string, unknown>) => boolean): P | undefined {
  const merged = winner.clone()
  const target = new Map(merged.namedPredictors())
  let changed = false
  const sources = [...added, ...(remembered ? [remembered] : [])]
  for (const additions of sources) {
    for (const [name, add] of additions) {
      const into = target.get(name)
      if (!into) continue
      const present = new Set(paragraphs(into.instructions).map(normParagraph))
      for (const para of add.paragraphs) {
        const key = normParagraph(para)
        if (present.has(key)) continue
        into.instructions = `${into.instructions}\n\n${para}`
        present.add(key)
        changed = true
      }
      const presentDemos = new Set(into.demos.map((d) => canonicalJson(d)))
      const before = into.demos.map((d) => canonicalJson(d)).join('\n')
      const fresh = add.demos.filter((d) => !presentDemos.has(canonicalJson(d)))
      // This step's additions are the newest; remembered ones are older, so at the cap they stay
      // only where slots are free or they show an output the newer demos lack (keepDemos).
      into.demos = additions === remembered ? [...fresh, ...into.demos] : [...into.demos, ...fresh]
      // Labelled warm-start demos (`isFixedDemo`) are kept and do not count toward the cap.
      const own = isFixedDemo ? into.demos.filter((d) => !isFixedDemo(d)) : into.demos
      if (maxDemos > 0 && own.length > maxDemos) {
        const kept = new Set(keepDemos(own, maxDemos, into.signature.outputFields.map((f) => f.name).filter((n) => n !== 'reasoning')))
        into.demos = into.demos.filter((d) => kept.has(d) || (isFixedDemo?.(d) ?? false))
      }
      if (into.demos.map((d) => canonicalJson(d)).join('\n') !== before) changed = true
    }
  }
  return changed ? merged : undefined
}
