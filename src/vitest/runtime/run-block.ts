import { isSimbaError, SimbaError } from '../../errors.js'
import { evaluate } from '../../core/evaluate/evaluate.js'
import type { FixtureRecorder } from '../../recording/recorder.js'
import type { Module } from '../../core/module/module.js'
import { promptFingerprint } from '../../core/module/fingerprint.js'
import { withSettings } from '../../core/module/settings.js'
import { canonicalJson } from '../../internal/json/canonical.js'
import { simba } from '../../optimizer/simba/simba.js'
import { formatProgramDiff, type ScoreComparison } from '../../snapshot/program-diff.js'
import { explainSourceChange, rebaseState, sourceOf, type SourceRecord } from '../../snapshot/source.js'
import { findSecret, locateSecret, maskSecrets } from '../../internal/secrets/secrets.js'
import type { Baseline, BlockSnapshot, CaseTrials, SplitScores, TrialsRecord } from '../../snapshot/types.js'
import { meanOf, noiseInterval } from '../../core/evaluate/stats.js'
import { PROGRESS_MARK, type SimbaBlockMeta, type SimbaProvided } from '../shared.js'
import type { OptimizeBlockOptions } from './block-options.js'
import { buildProgram, isFactory, type BlockCase } from './cases.js'
import { blockScores, caseKey, rekeyBaseline, shownValue, storedMean, type CaseOutcome } from './scores.js'
import { createProgress } from './progress.js'
import { registry, storeFor } from './registry.js'
import { fixtureCounts, programLMs, sumUsage } from './usage.js'
import { predictorChanges, trajectoryFromLogs } from '../../report/model.js'
import type { ReportPredictor, ReportTrajectory, ReportUsage } from '../../report/types.js'

export { caseKey, shownValue, type CaseOutcome } from './scores.js'

/** What the block's tests read after `runBlock`. */
export interface BlockRun {
  /** Outcomes keyed by `split + '\0' + case name`. */
  outcomes: Map<string, CaseOutcome>
  /** Baseline the tests compare against (the stored one, before this run). */
  baseline: Baseline | undefined
  /** Whether regressions fail (false when this run wrote a new baseline, e.g. -u). */
  enforce: boolean
  /** Scores of this run per split. */
  scores: { trainset: SplitScores; devset?: SplitScores }
  /** Block meta for the reporter (regressed/improved filled in by the tests' owner). */
  meta: SimbaBlockMeta
  /** What the HTML/JSON report needs beyond the outcomes (only when a report was asked for). */
  report?: BlockReportExtras
  /** Trials per case in this run (1 = one evaluation per case, the classic gate). */
  trials: number
  /** The stored block's trials record, when it was written with trials (what the noise-aware gate compares with). */
  baselineTrials?: TrialsRecord
}

/** Trials per case of a block: `--trials` on the bin, else the block's, else the plugin's, else 1. */
export function trialsOf(options: Pick<OptimizeBlockOptions, 'trials'>, ctx: Pick<SimbaProvided, 'trials' | 'trialsOverride'>): number {
  return ctx.trialsOverride ?? options.trials ?? ctx.trials ?? 1
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6

/** The snapshot's trials record of this run (per case: trial count, mean, scores; the gating mean and its noise interval). */
export function trialsRecord(k: number, cases: readonly BlockCase[], outcomes: ReadonlyMap<string, CaseOutcome>, split: 'trainset' | 'devset'): TrialsRecord {
  const perSplit = (which: 'trainset' | 'devset'): Record<string, CaseTrials> | undefined => {
    const mine = cases.filter((c) => c.split === which)
    if (mine.length === 0) return undefined
    const out: Record<string, CaseTrials> = Object.create(null) as Record<string, CaseTrials>
    for (const c of mine) {
      const o = outcomes.get(caseKey(c))
      const scores = o?.trials ? o.trials.map((t) => t.score) : [o?.score ?? 0]
      out[c.name] = { n: scores.length, mean: meanOf(scores), scores }
    }
    return out
  }
  const trainset = perSplit('trainset') ?? (Object.create(null) as Record<string, CaseTrials>)
  const devset = perSplit('devset')
  const gating = (split === 'devset' ? devset : trainset) ?? trainset
  const ni = noiseInterval(Object.values(gating).map((c) => c.scores))
  return { k, mean: ni.mean, interval: [round6(ni.low), round6(ni.high)], trainset, ...(devset ? { devset } : {}) }
}

/** Report data of an optimize run: trajectory, program changes, the snapshot program's answers, usage. */
export interface BlockReportExtras {
  /** Score trajectory (optimize mode). */
  trajectory?: ReportTrajectory
  /** Per-predictor changes against the snapshot (optimize mode). */
  predictors?: ReportPredictor[]
  /** The snapshot program's predictions in this run, keyed like `outcomes` (optimize mode). */
  baselinePredictions: Map<string, string>
  /** The optimizer's usage and forecast (optimize mode). */
  optimization?: NonNullable<ReportUsage['optimization']>
  /** The optimizer's forecast. */
  forecast?: NonNullable<ReportUsage['forecast']>
}

/**
 * Date stamped into provenance: `SOURCE_DATE_EPOCH` (seconds, the reproducible-builds convention)
 * when set, so two runs on different days can produce byte-identical snapshots; else today (UTC).
 */
/**
 * Logs an optimize-mode message (progress, the proposal, where the snapshot went), secrets masked.
 * The plugin's reporter prints it as plain lines outside Vitest's per-test console framing.
 */
export function say(text: string): void {
  console.log(`${PROGRESS_MARK}${maskSecrets(text)}`)
}

function provenanceDate(): string {
  const epoch = Number(process.env['SOURCE_DATE_EPOCH'])
  const when = Number.isFinite(epoch) && process.env['SOURCE_DATE_EPOCH'] !== '' ? new Date(epoch * 1000) : new Date()
  return when.toISOString().slice(0, 10)
}

const fixFor = (file: string): string =>
  `Run \`npx vitest-simba --optimize -u\` (optimize and accept) or \`npx vitest run -u\` (baseline the current program) locally, then commit ${file}.`

/** Loads, optionally optimizes, evaluates and (when allowed) snapshots one block. */
export async function runBlock(args: {
  block: string
  testFile: string
  options: OptimizeBlockOptions
  cases: BlockCase[]
  ctx: SimbaProvided
}): Promise<BlockRun> {
  const { block, options, cases, ctx } = args
  const store = storeFor(args.testFile, ctx.update)
  const stored = store.get(block)
  const recorder = registry().recorder
  const rel = store.file.startsWith(ctx.root) ? store.file.slice(ctx.root.length + 1) : store.file
  if (!stored && ctx.update === 'none' && !ctx.optimize) {
    throw new SimbaError('SIMBA_SNAPSHOT_MISSING', `no program snapshot for block "${block}" in ${rel} (CI never writes snapshots). ${fixFor(rel)}`)
  }

  let program: Module | undefined
  let source: SourceRecord | null = null
  let stale: string[] = []
  if (isFactory(options.program)) {
    program = await buildProgram(block, options.program)
    // What the code builds, before the snapshot's state is applied over it.
    source = sourceOf(program)
    if (stored?.program) {
      const loaded = await loadStored(block, rel, stored, program, source, ctx, () => buildProgram(block, options.program))
      program = loaded.program
      stale = loaded.stale
    }
  }

  const lms = programLMs(program, options.lm)
  const usageBefore = sumUsage(lms)
  const fixturesBefore = fixtureCounts(recorder)
  const live = <T>(fn: () => T): T => (recorder ? recorder.withPhase('live', fn) : fn())

  let optimized = false
  let effective: Record<string, unknown> = {}
  const extras: BlockReportExtras | undefined = ctx.report ? { baselinePredictions: new Map() } : undefined
  if (ctx.optimize && !program) say(`[simba] ${block}: the program is a plain function, so there is nothing to optimize (regression tests only)`)
  if (ctx.optimize && program) {
    const trainset = cases.filter((c) => c.split === 'trainset').map((c) => c.example)
    const settings = { ...ctx.optimizer, ...(options.optimizer ?? {}) }
    const base = program
    // Plain lines with elapsed time and ETA on each finished step (a worker has no terminal of its
    // own); marked so that the plugin's reporter prints them outside Vitest's per-test framing.
    const progress = createProgress(block, {
      maxSteps: typeof settings.maxSteps === 'number' ? settings.maxSteps : 8,
      tty: false,
      write: (text) => {
        for (const line of text.split('\n')) if (line !== '') say(line)
      },
    })
    const result = await live(() =>
      withSettings({ lm: options.lm }, () =>
        simba(base, {
          // describe.optimize runs the improved search unless the block or plugin asks for DSPy's
          // (`mode: 'faithful'`, or a `faithful` setting of its own).
          ...(settings.mode === undefined && settings.faithful === undefined ? { mode: 'improved' as const } : {}),
          ...settings,
          trainset,
          metric: options.metric,
          ...(options.lm ? { lm: options.lm } : {}),
          onProgress: progress,
        }),
      ),
    )
    program = result.program
    optimized = true
    effective = result.settings
    if (extras) {
      extras.trajectory = trajectoryFromLogs(result.trialLogs.steps, { score: result.score, stoppedReason: result.stoppedReason }, result.trialLogs.start)
      extras.optimization = { calls: result.usage.calls, cachedCalls: result.usage.cachedCalls, tokens: result.usage.totalTokens, cost: result.usage.cost }
      extras.forecast = { calls: result.forecast.totalCalls, tokens: result.forecast.totalTokens, cost: result.forecast.cost ?? null }
      // The snapshot program's answers, for the report's side-by-side view (never recorded).
      const before = await live(() =>
        evaluate(base, cases.map((c) => c.example), options.metric, { concurrency: options.concurrency ?? ctx.concurrency, settings: { lm: options.lm } }),
      )
      cases.forEach((c, i) => {
        const shown = shownValue(before.cases[i]?.prediction)
        if (shown !== undefined) extras.baselinePredictions.set(caseKey(c), shown)
      })
    }
    // Answers cached during the (unrecorded) optimization would hide the evaluation calls from the
    // fixture recorder, and re-record mode would then prune their entries.
    for (const lm of programLMs(program, options.lm)) (lm as { clearCache?: () => void }).clearCache?.()
  }

  const willWrite = store.mayWrite(block)
  const trials = trialsOf(options, ctx)
  const examples = cases.map((c) => c.example)
  const runEval = (): ReturnType<typeof evaluate> =>
    evaluate(program ?? (options.program as (i: unknown) => Promise<unknown>), examples, options.metric, {
      concurrency: options.concurrency ?? ctx.concurrency,
      settings: { lm: options.lm },
      // One setting for both: the metric sees a trace in regression runs only when SIMBA passes it too.
      metricTrace: (options.optimizer?.metricTrace ?? ctx.optimizer?.metricTrace) === true,
      ...(trials > 1 ? { trials } : {}),
      // The report shows every case's LM and tool calls.
      ...(ctx.report ? { captureCalls: true } : {}),
    })
  // Optimize-mode evaluations of a proposal that will not be accepted are not recorded.
  const evaluated = await (ctx.optimize && !willWrite ? live(runEval) : runEval())
  const { outcomes, baseline } = blockScores(cases, evaluated.cases)
  const { trainset, devset, split } = baseline
  const state = program ? program.state() : null
  const record = trials > 1 ? trialsRecord(trials, cases, outcomes, split) : undefined

  if (ctx.optimize && state) {
    const before = stored ? rekeyBaseline(stored, cases) : undefined
    const comparisons: ScoreComparison[] = [{ split: 'trainset', before: before?.trainset, after: trainset }]
    if (devset) comparisons.push({ split: 'devset', before: before?.devset, after: devset })
    say(formatProgramDiff(block, stored?.program, state, comparisons))
    if (record) {
      const half = (record.interval[1] - record.interval[0]) / 2
      say(`[simba] ${block}: ${split} mean ${record.mean.toFixed(3)} ± ${half.toFixed(3)} over ${trials} trials per case (95% run-to-run noise interval)`)
    }
    if (extras) extras.predictors = predictorChanges(stored?.program, state)
  }

  let snapshot: SimbaBlockMeta['snapshot'] = 'skipped'
  if (evaluated.errors.length > 0) {
    if (willWrite) console.warn(`[simba] ${block}: snapshot not written: ${evaluated.errors.length} case(s) failed to run`)
  } else {
    const keepProvenance = !optimized && stored !== undefined && stale.length === 0 && canonicalJson(stored.program) === canonicalJson(state)
    const models = [...new Set(programLMs(program, options.lm).map((l) => l.model))].sort()
    const next: BlockSnapshot = {
      program: state,
      baseline,
      promptHash: program ? promptFingerprint(program) : null,
      source,
      provenance: keepProvenance
        ? { ...stored.provenance, library: ctx.library, date: provenanceDate() }
        : {
            model: models.length > 0 ? models.join(',') : 'unknown',
            optimizer: optimized ? 'simba' : 'baseline',
            // The settings the optimizer used (defaults applied), not only those the block passed.
            ...(optimized ? { settings: effective, seed: typeof effective['seed'] === 'number' ? effective['seed'] : 0 } : {}),
            library: ctx.library,
            date: provenanceDate(),
          },
      ...(record ? { trials: record } : {}),
    }
    if (store.mayWrite(block)) {
      refuseSecrets(block, rel, next, cases)
      saveFixtures(block, rel, recorder)
    }
    const outcome = store.set(block, next)
    if (outcome === 'written') store.flush()
    snapshot = outcome
    if (ctx.optimize) {
      say(
        outcome === 'written'
          ? `[simba] ${block}: snapshot written to ${rel}`
          : outcome === 'unchanged'
            ? `[simba] ${block}: snapshot unchanged`
            : `[simba] ${block}: proposal not written (run with -u to accept it)`,
      )
    }
  }

  const usage = sumUsage(lms)
  const fx = fixtureCounts(recorder)
  const old = stored ? rekeyBaseline(stored, cases) : undefined
  return {
    outcomes,
    baseline: old,
    enforce: snapshot !== 'written',
    ...(extras ? { report: extras } : {}),
    trials,
    ...(stored?.trials && !stored.legacyCaseNames ? { baselineTrials: stored.trials } : {}),
    scores: devset ? { trainset, devset } : { trainset },
    meta: {
      kind: 'block',
      block,
      file: args.testFile.startsWith(ctx.root) ? args.testFile.slice(ctx.root.length + 1) : args.testFile,
      split,
      cases: Object.keys((devset ?? trainset).cases).length,
      mean: baseline.mean,
      baseline: storedMean(old, split),
      regressed: [],
      improved: [],
      calls: { total: usage.calls - usageBefore.calls, live: fx.live - fixturesBefore.live, replayed: fx.replayed - fixturesBefore.replayed },
      tokens: usage.totalTokens - usageBefore.totalTokens,
      cost: usage.cost - usageBefore.cost,
      optimized,
      snapshot,
      ...(record ? { trials: { k: trials, half: round6((record.interval[1] - record.interval[0]) / 2), flaky: 0, p: null } } : {}),
    },
  }
}

/**
 * Applies the stored program state when the code's program is the one it was made from. When the
 * source changed, the snapshot is stale: in CI that fails the block (naming what changed and the two
 * fixes); locally the code's program runs (with `-u`, the optimization's additions are carried over
 * where they still fit), and a notice says so. Blocks from older files (source unknown) are applied.
 */
async function loadStored(
  block: string,
  rel: string,
  stored: BlockSnapshot,
  program: Module,
  source: SourceRecord,
  ctx: SimbaProvided,
  rebuild: () => Promise<Module>,
): Promise<{ program: Module; stale: string[] }> {
  const state = stored.program as NonNullable<BlockSnapshot['program']>
  const rebaselining = ctx.update === 'all' || ctx.optimize
  if (stored.source !== null && stored.source.hash !== source.hash) {
    const changes = explainSourceChange(stored.source, source)
    // One entry per changed predictor, each on its own lines (removed and added instruction lines).
    const what = `\n${(changes.length > 0 ? changes : ['the program changed']).map((c) => c.replace(/^/gm, '  ')).join('\n')}`
    if (ctx.ci || ctx.update === 'none') {
      throw new SimbaError(
        'SIMBA_SNAPSHOT_STALE',
        `SIMBA_SNAPSHOT_STALE: block "${block}": the program in the code no longer matches the one ${rel} was made from, ` +
          'so the snapshot is stale and its scores say nothing about this code. Locally, run `npx vitest run -u` to accept the code\'s program and its scores ' +
          `as the new baseline, or \`npx vitest-simba --optimize -u\` to re-optimize from it; then commit the snapshot. What changed:${what}`,
      )
    }
    if (ctx.update === 'all' && !ctx.optimize) {
      const rebased = rebaseState(stored.source, source, state, program.state())
      program.loadState(rebased.state)
      console.warn(
        maskSecrets(
          `[simba] ${block}: the code changed since ${rel} was written; -u accepts the code's program` +
            (rebased.carried ? `, with the optimization carried over where it still fits (${rebased.notes.join('; ')})` : ' (the optimization no longer fits: re-run `npx vitest-simba --optimize -u` to optimize it again)') +
            `. What changed:${what}`,
        ),
      )
    } else {
      console.warn(
        maskSecrets(
          `[simba] ${block}: SIMBA_SNAPSHOT_STALE: snapshot ${rel} is stale: the code changed since it was written. This run uses the code's program and compares it ` +
            (ctx.optimize ? 'and optimizes from it.' : 'with the stored baseline. Accept it with `npx vitest run -u` (or re-optimize with `npx vitest-simba --optimize -u`).') +
            ` What changed:${what}`,
        ),
      )
    }
    return { program, stale: changes.length > 0 ? changes : ['the program changed'] }
  }
  try {
    program.loadState(state)
    if (stored.promptHash !== null && promptFingerprint(program) !== stored.promptHash && !rebaselining) {
      throw new SimbaError(
        'SIMBA_SNAPSHOT_MISMATCH',
        `block "${block}": the program's prompt after loading ${rel} does not match the snapshot's promptHash (the state did not apply, or the prompt rendering changed). ` +
          'Re-baseline with `npx vitest run -u`, or re-optimize with `npx vitest-simba --optimize -u`.',
      )
    }
    return { program, stale: [] }
  } catch (error) {
    if ((error as { code?: string }).code !== 'SIMBA_STATE' || !rebaselining) throw error
    console.warn(`[simba] ${block}: snapshot state does not fit the program (${(error as Error).message}); starting from the program's own state`)
    return { program: await rebuild(), stale: ['the stored state does not fit the program'] }
  }
}

/**
 * Writes the fixtures recorded so far before the snapshot that depends on them: when they cannot be
 * written, the block fails naming the fixture file and the cause, and its snapshot is not written
 * (a snapshot without its fixtures would fail in CI with missing recordings).
 */
function saveFixtures(block: string, rel: string, recorder: FixtureRecorder | undefined): void {
  try {
    recorder?.save()
  } catch (error) {
    if (!isSimbaError(error, 'SIMBA_WRITE')) throw error
    throw new SimbaError('SIMBA_WRITE', `block "${block}": ${rel} was not written, because ${error.message.replace(/^\[vitest-simba\] /, '')}`, { cause: error })
  }
}

/** Refuses a snapshot write holding a secret (demos, case names, provenance), naming the case it came from. */
function refuseSecrets(block: string, rel: string, next: BlockSnapshot, cases: readonly BlockCase[]): void {
  const found = locateSecret(next)
  if (!found) return
  const from = cases.find((c) => findSecret(JSON.stringify(c.example.data)) !== undefined)
  throw new SimbaError(
    'SIMBA_SECRET',
    `block "${block}": refusing to write ${rel}: ${found.path} holds a ${found.hit.kind} (${found.hit.preview})` +
      (from ? `, from ${from.split} case "${from.name}"` : '') +
      '. Remove the secret from the dataset (or mask it before the program sees it), then run the update again.',
  )
}
