/**
 * Reflective start (`reflectiveStart`, improved mode): before the first step, the starting program
 * (the warm start, else the baseline) runs on up to 4·bsize training examples, and the prompt
 * model writes rules from the cases it got wrong, eight cases per call (the consolidation
 * signature with failed cases). The starting program plus those rules is scored on the same
 * examples (those the starting program got right first, a mini-batch at a time, until one is lost)
 * and, when it gains and breaks no case,
 * becomes a pool program and a winner, and counts as one of the run's `maxSteps`: it costs about
 * 8·bsize calls where a step costs about 9·bsize (N = 4), and it learns from four mini-batches of
 * cases where a step learns one rule per candidate.
 */
import type { Module } from '../../core/module/module.js'
import { budgetReached } from './budget.js'
import { createRng } from '../../internal/rng/prng.js'
import type { SimbaRun } from './simba-run.js'
import { consolidateAdvice } from './strategies/consolidate.js'
import type { RunRecord } from './strategies/types.js'
import type { ReflectiveStartLog } from './types.js'
import { mean } from './stats.js'
import { failedCases } from './step.js'

/** Random stream of the reflective start's example draw (apart from SIMBA's and the warm start's). */
const SWEEP_STREAM = 3
/** Failed cases shown to the prompt model per call. */
const CASES_PER_CALL = 8

/** Runs the reflective start; undefined when it is off or has no prompt model. */
export async function reflectiveStart<P extends Module>(run: SimbaRun<P>): Promise<ReflectiveStartLog | undefined> {
  const { o, pool } = run
  const promptModel = run.promptModel
  if (!o.reflectiveStart || !promptModel || o.maxSteps < 1 || budgetReached(run.meter.totals(), run.options.budget)) return undefined
  const trainset = run.options.trainset
  const sourceId = run.warmId ?? 0
  const order = createRng(o.seed, SWEEP_STREAM).shuffle(trainset.map((_, i) => i)).slice(0, Math.min(trainset.length, 4 * o.bsize))
  const examples = order.map((i) => trainset[i] as (typeof trainset)[number])
  const source = pool.get(sourceId)
  const runs = await run.evaluateOn(source, examples)
  run.errors.add(runs, 'reflective start', true)
  const failed = failedCases(runs, runs.length)
  const log: ReflectiveStartLog = { sourceId, examples: order.map((i) => trainset[i]?.id ?? i), sourceScore: mean(runs.map((r) => r.score)), failed: failed.length, calls: 0 }
  let program: P | undefined
  for (let at = 0; at < failed.length; at += CASES_PER_CALL) {
    const c = await consolidateAdvice(program ?? source, pool.get(0), promptModel, run.consolidated, failed.slice(at, at + CASES_PER_CALL), 0, run.checkAdvice)
    log.calls += c.calls
    run.errors.addRuleFailures(c.failures, 'reflective start')
    if (c.program) program = c.program
  }
  if (!program) return log
  // The rules were written from these very failures, so their gain there is biased; a case the
  // starting program got right and the ruled one gets wrong is not: any such loss rejects it (so
  // those cases run first, and the rest only when none is lost), and so does no gain at all.
  const passed = runs.flatMap((r, i) => (r.score >= 1 ? [i] : []))
  const rest = runs.flatMap((r, i) => (r.score >= 1 ? [] : [i]))
  // Those cases run a mini-batch at a time, and a loss ends it.
  const casesAt = (ids: readonly number[]) => ids.map((i) => examples[i] as (typeof examples)[number])
  const kept: RunRecord[] = []
  log.lost = 0
  for (let at = 0; at < passed.length && log.lost === 0; at += o.bsize) {
    const part = passed.slice(at, at + o.bsize)
    const rs = await run.evaluateOn(program, casesAt(part))
    run.errors.add(rs, 'reflective start')
    kept.push(...rs)
    log.lost += rs.filter((r, k) => r.score < (runs[part[k] as number] as RunRecord).score).length
  }
  if (log.lost > 0) return log
  const fixed = await run.evaluateOn(program, casesAt(rest))
  run.errors.add(fixed, 'reflective start')
  const ruled: RunRecord[] = []
  for (const [k, i] of passed.entries()) ruled[i] = kept[k] as RunRecord
  for (const [k, i] of rest.entries()) ruled[i] = fixed[k] as RunRecord
  log.score = mean(ruled.map((r) => r.score))
  if (log.score <= log.sourceScore) return log
  // Kept: both programs are credited with these same cases, so their averages compare like for like.
  pool.addScores(sourceId, runs.map((r) => r.score))
  log.id = pool.register(program, ruled.map((r) => r.score))
  return log
}
