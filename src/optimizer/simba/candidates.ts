/**
 * Building and scoring one step's candidates.
 *
 * Every random draw happens here on the coordinating path, bucket by bucket in sorted order:
 * source pick, Poisson, drop positions, strategy. In 'concurrent' mode the draws for the first
 * N + 1 buckets are made first, then their strategies run at once and each candidate's mini-batch
 * evaluation starts as soon as it is built; if some strategies throw, exactly that many further
 * buckets are drawn for (in order) and tried. Strategies consume no randomness, so the draw
 * sequence, the candidate set and their order equal DSPy's sequential loop, whatever the
 * completion order. 'sequential' reproduces DSPy's order of work: one strategy at a time, then
 * all evaluations. 'built' events are emitted in bucket order in both schedules (a finished
 * strategy waits for the ones of earlier buckets), so progress output does not depend on timing.
 */
import type { Module } from '../../core/module/module.js'
import type { PoissonRng } from '../../internal/rng/poisson.js'
import type { Rng } from '../../internal/rng/prng.js'
import type { Bucket } from './buckets.js'
import { dropPositions, withoutPositions } from './demo-drop.js'
import type { Pool } from './pool.js'
import { errorText } from './run.js'
import { softmaxPick } from './sampling.js'
import { appendADemo } from './strategies/append-demo.js'
import { appendARule } from './strategies/append-rule.js'
import { RuleWriterError, type RunRecord, type Strategy, type StrategyContext, type StrategyName } from './strategies/types.js'
import type { CandidateLog } from './types.js'

const STRATEGIES: Record<StrategyName, Strategy> = { append_a_demo: appendADemo, append_a_rule: appendARule }

/** Inputs of the candidate phase. */
export interface CandidatePhase<P extends Module> {
  pool: Pool<P>
  buckets: Array<Bucket<RunRecord>>
  rng: Rng
  poisson: PoissonRng
  /** N: the size of the sampling list. */
  numCandidates: number
  /** Candidates wanted (N + 1 as DSPy; N when a merged candidate follows). */
  want: number
  /** Drop candidates whose strategy changed nothing instead of keeping them (`skipUnchanged`). */
  skipUnchanged: boolean
  /** Use "append a rule" when the source already holds `maxDemos` demos (`rulesAtDemoCap`). */
  rulesAtDemoCap: boolean
  maxDemos: number
  temperatureForCandidates: number
  schedule: 'concurrent' | 'sequential'
  /** DSPy's exact softmax fallback (uniform when all weights underflow). */
  faithful: boolean
  /** Strategy context minus the bucket and candidate. */
  strategyContext: Omit<StrategyContext, 'bucket' | 'candidate'>
  /** Demos that are never dropped and do not count toward `maxDemos` (the warm start's labelled demos). */
  isFixedDemo?: ((demo: Record<string, unknown>) => boolean) | undefined
  /** Scores a candidate on the step's mini-batch. */
  evaluate: (program: P) => Promise<RunRecord[]>
  /** Called when a candidate was built (or its strategy failed). */
  onBuilt: (log: CandidateLog) => void
}

/** A built and evaluated candidate. */
export interface BuiltCandidate<P extends Module> {
  program: P
  log: CandidateLog
  runs: RunRecord[]
}

interface Drawn<P extends Module> {
  program: P
  log: CandidateLog
  bucket: Bucket<RunRecord>
}

/** The draws for one bucket, in DSPy's order; returns the demo-dropped clone. */
function draw<P extends Module>(phase: CandidatePhase<P>, bucket: Bucket<RunRecord>): Drawn<P> {
  const { pool, rng } = phase
  const sourceId = softmaxPick(rng, pool.top(phase.numCandidates), pool.avg, phase.temperatureForCandidates, phase.faithful)
  const program = pool.get(sourceId).clone()
  const predictors = program.namedPredictors().map(([, p]) => p)
  const fixed = phase.isFixedDemo
  // Positions count SIMBA's own demos only; fixed (labelled warm-start) demos stay where they are.
  const own = predictors.map((p) => (fixed ? p.demos.filter((d) => !fixed(d)) : p.demos))
  const atCap = phase.maxDemos > 0 && own.some((d) => d.length >= phase.maxDemos)
  const dropped = dropPositions(own.map((d) => d.length), phase.maxDemos, rng, phase.poisson)
  for (const [i, p] of predictors.entries()) {
    if (!fixed) {
      p.demos = withoutPositions(p.demos, dropped)
      continue
    }
    const keep = new Set(withoutPositions(own[i] ?? [], dropped))
    p.demos = p.demos.filter((d) => fixed(d) || keep.has(d))
  }
  const names: StrategyName[] = phase.maxDemos > 0 ? ['append_a_demo', 'append_a_rule'] : ['append_a_rule']
  const drawn = rng.choice(names)
  const strategy = phase.rulesAtDemoCap && atCap ? 'append_a_rule' : drawn
  const log: CandidateLog = { id: undefined, sourceId, bucketExample: bucket.exampleIndex, strategy, outcome: 'failed', droppedDemos: [...dropped].sort((a, b) => a - b) }
  return { program, log, bucket }
}

/** Runs the drawn strategy; resolves true when a candidate was kept (applied, or skipped unless `skipUnchanged`). */
async function apply<P extends Module>(phase: CandidatePhase<P>, d: Drawn<P>): Promise<boolean> {
  try {
    const out = await STRATEGIES[d.log.strategy as StrategyName]({ ...phase.strategyContext, bucket: d.bucket.runs, candidate: d.program })
    d.log.outcome = out.status
    if (out.status === 'skipped') d.log.reason = out.reason
    if (out.status === 'skipped' && out.gated) d.log.gated = true
    if (out.ruleCall) d.log.ruleCall = 'ok'
    if (out.status === 'applied' || !phase.skipUnchanged) return true
    d.log.kept = false
    return false
  } catch (error) {
    d.log.outcome = 'failed'
    d.log.reason = errorText(error)
    if (error instanceof RuleWriterError) d.log.ruleCall = 'failed'
    return false
  }
}

/** Emits 'built' logs in bucket order: each waits for the previous one's emission. */
function inOrder(onBuilt: (log: CandidateLog) => void): (log: CandidateLog, done: Promise<unknown>) => Promise<void> {
  let tail: Promise<void> = Promise.resolve()
  return (log, done) => (tail = Promise.all([tail, done]).then(() => onBuilt(log)))
}

/**
 * Builds up to `want` (N + 1) candidates from the sorted buckets and scores each on the mini-batch.
 * Returns the kept candidates in bucket order plus the logs of every processed bucket. With
 * `skipUnchanged` an unchanged candidate is not kept, so (like a failed one) it moves on to the
 * next bucket.
 */
export async function buildAndScore<P extends Module>(phase: CandidatePhase<P>): Promise<{ built: Array<BuiltCandidate<P>>; logs: CandidateLog[] }> {
  const want = phase.want
  const kept: Array<{ d: Drawn<P>; runs: Promise<RunRecord[]> }> = []
  const logs: CandidateLog[] = []
  const emit = inOrder(phase.onBuilt)
  let next = 0
  if (phase.schedule === 'sequential') {
    while (kept.length < want && next < phase.buckets.length) {
      const d = draw(phase, phase.buckets[next++] as Bucket<RunRecord>)
      logs.push(d.log)
      const ok = await apply(phase, d)
      await emit(d.log, Promise.resolve())
      if (ok) kept.push({ d, runs: Promise.resolve([]) })
    }
    for (const k of kept) k.runs = phase.evaluate(k.d.program)
  } else {
    while (kept.length < want && next < phase.buckets.length) {
      const round: Array<Drawn<P>> = []
      for (let i = kept.length; i < want && next < phase.buckets.length; i++) round.push(draw(phase, phase.buckets[next++] as Bucket<RunRecord>))
      logs.push(...round.map((d) => d.log))
      const emitted: Array<Promise<void>> = []
      const started = await Promise.all(
        round.map(async (d) => {
          const applied = apply(phase, d)
          emitted.push(emit(d.log, applied))
          return (await applied) ? { d, runs: phase.evaluate(d.program) } : undefined
        }),
      )
      await Promise.all(emitted)
      for (const s of started) if (s) kept.push(s)
    }
  }
  const built: Array<BuiltCandidate<P>> = []
  for (const k of kept) built.push({ program: k.d.program, log: k.d.log, runs: await k.runs })
  return { built, logs }
}
