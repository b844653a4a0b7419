import { afterAll, beforeAll, describe as vDescribe, expect, inject, test } from 'vitest'
import { SimbaError } from '../../errors.js'
import { own } from '../../internal/json/dict.js'
import '../shared.js'
import type { CaseStatus, SimbaCaseMeta, SimbaProvided } from '../shared.js'
import { parseBlockOptions, type OptimizeBlockOptions, type ProgramSpec } from './block-options.js'
import { buildProgram, inputKeysFor, isFactory, toCases, type BlockCase } from './cases.js'
import { caseStatus, DEFAULT_CASE_THRESHOLD, gateMessage, trialCaseStatus, trialGateMessage, trialMeanVerdict } from './compare.js'
import { summarizeTrials, type PairedTrials } from '../../core/evaluate/stats.js'
import { registry } from './registry.js'
import { blockReport, writeBlockReport } from './report.js'
import { recordHistory } from './history.js'
import { caseKey, runBlock, shownValue, type BlockRun } from './run-block.js'

function provided(block: string): SimbaProvided {
  let ctx: SimbaProvided | undefined
  try {
    ctx = inject('simba')
  } catch {
    ctx = undefined
  }
  if (!ctx) {
    throw new SimbaError(
      'SIMBA_CONFIG',
      `describe.optimize("${block}") needs the vitest-simba plugin: add \`plugins: [simba()]\` (import { simba } from 'vitest-simba/plugin') to vitest.config.ts`,
    )
  }
  return ctx
}

/** Collects the block's cases (the sample program built here only tells the input keys). */
async function collectCases(block: string, options: OptimizeBlockOptions): Promise<BlockCase[]> {
  let keys: string[] | undefined
  const getKeys = (): string[] => {
    if (keys === undefined) throw new SimbaError('SIMBA_CONFIG', `describe.optimize("${block}"): input keys unknown`)
    return keys
  }
  const needsKeys = [...options.trainset, ...(options.devset ?? [])].some((r) => !Array.isArray((r as { inputKeys?: unknown }).inputKeys) || (r as { inputKeys: unknown[] }).inputKeys.length === 0)
  if (needsKeys) keys = inputKeysFor(block, options, !options.inputs && isFactory(options.program) ? await buildProgram(block, options.program) : undefined)
  return [...toCases(block, 'trainset', options.trainset, getKeys), ...toCases(block, 'devset', options.devset ?? [], getKeys)]
}

/**
 * Turns a dataset into Vitest tests: one concurrent test per case (score in `task.meta.simba`),
 * plus a `mean score` test gating the mean against `threshold` and the snapshot baseline.
 * In optimize mode SIMBA runs first and the proposed program is shown against the snapshot.
 * @example describe.optimize('routes tickets', { program: () => new Router(), trainset, metric })
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function optimize<T extends Record<string, any>, F extends ProgramSpec = ProgramSpec>(name: string, options: OptimizeBlockOptions<T, F>): void {
  const opts = parseBlockOptions(name, options)
  const ctx = provided(name)
  const r = registry()
  if (r.defined.includes(name)) throw new SimbaError('SIMBA_CONFIG', `describe.optimize("${name}") is defined twice in this file; block names must be unique per file`)
  r.defined.push(name)
  const tolerance = opts.tolerance ?? 0
  const timeout = opts.timeout ?? (ctx.optimize ? 3_600_000 : 600_000)

  vDescribe(name, async () => {
    const cases = await collectCases(name, opts)
    let run: BlockRun | undefined
    const regressed: Array<{ name: string; score: number; baseline: number; split?: string }> = []
    const improved: Array<{ name: string; split?: string }> = []
    // With a devset, names can repeat across splits: messages then say which split a case is in.
    const splitOf = (c: BlockCase): string | undefined => (cases.some((x) => x.split === 'devset') ? c.split : undefined)

    const statuses = new Map<string, CaseStatus>()
    // Trials only: each case's p-value and trial scores, and the mean's verdict.
    const pValues = new Map<string, number | null>()
    let meanVerdict: ReturnType<typeof trialMeanVerdict> | undefined
    beforeAll(async ({}, suite) => {
      run = await runBlock({ block: name, testFile: suite.file.filepath, options: opts, cases, ctx })
      const withTrials = run.trials > 1
      const paired: PairedTrials[] = []
      for (const c of cases) {
        const o = run.outcomes.get(caseKey(c))
        const base = own(run.baseline?.[c.split]?.cases, c.name)
        let status: CaseStatus
        if (withTrials) {
          const now = o?.trials ? o.trials.map((t) => t.score) : [o?.score ?? 0]
          const stored = own(run.baselineTrials?.[c.split], c.name)
          const baseTrials = stored ? stored.scores : base === undefined ? undefined : [base]
          const verdict = trialCaseStatus({ now, errored: o?.error !== undefined, base: baseTrials, caseThreshold: opts.caseThreshold, tolerance })
          status = verdict.status
          pValues.set(caseKey(c), verdict.p)
          if (c.split === run.meta.split && baseTrials) paired.push({ name: c.name, base: baseTrials, now })
        } else status = caseStatus({ score: o?.score ?? 0, errored: o?.error !== undefined, baseline: base, caseThreshold: opts.caseThreshold, tolerance })
        statuses.set(caseKey(c), status)
        if (status === 'regressed') regressed.push({ name: c.name, score: o?.score ?? 0, baseline: base as number, split: splitOf(c) })
        if (status === 'improved') improved.push({ name: c.name, split: splitOf(c) })
      }
      if (withTrials && run.meta.trials) {
        run.meta.trials.flaky = cases.filter((c) => c.split === run?.meta.split && statuses.get(caseKey(c)) === 'flaky').length
        if (paired.length > 0) {
          meanVerdict = trialMeanVerdict(paired, tolerance)
          run.meta.trials.p = meanVerdict.p
        }
      }
      run.meta.regressed = regressed.map((x) => x.name).sort()
      run.meta.improved = improved.map((x) => x.name).sort()
      // Outside CI the run is added to the local score history; the report draws the last runs.
      const history = recordHistory(ctx, suite.file.filepath, name, run, cases, opts.caseThreshold)
      if (ctx.report) {
        const page = writeBlockReport(ctx, suite.file.filepath, blockReport(name, run, cases, statuses, opts.caseThreshold ?? DEFAULT_CASE_THRESHOLD, history))
        if (page !== undefined) run.meta.report = page
      }
    }, timeout)

    // `test.concurrent` builds a new chainable on every access: take it once for all the cases.
    const concurrentTest = test.concurrent
    const caseTest = (c: BlockCase): void => {
      concurrentTest(c.name, async ({ task, annotate }) => {
        if (!run) throw new SimbaError('SIMBA_CONFIG', `block "${name}" did not run`)
        const o = run.outcomes.get(caseKey(c))
        if (!o) throw new SimbaError('SIMBA_CONFIG', `block "${name}": no result for case "${c.name}"`)
        const base = own(run.baseline?.[c.split]?.cases, c.name)
        const status = statuses.get(caseKey(c)) ?? 'error'
        const meta: SimbaCaseMeta = { kind: 'case', block: name, split: c.split, case: c.name, score: o.error !== undefined ? null : o.score, baseline: base ?? null, status }
        if (o.prediction !== undefined) meta.prediction = o.prediction
        const labels = shownValue(c.example.labels())
        if (labels !== undefined && labels !== '{}') meta.labels = labels
        if (o.feedback !== undefined) meta.feedback = o.feedback
        if (o.error !== undefined) meta.error = o.error
        if (o.trials) {
          const sum = summarizeTrials(o.trials.map((t) => t.score), opts.caseThreshold ?? 1)
          meta.trials = { n: sum.n, mean: sum.mean, passRate: sum.passRate, passAll: sum.passAll, passAny: sum.passAny, p: pValues.get(caseKey(c)) ?? null, outcomes: o.trials }
        }
        task.meta.simba = meta
        const b = base === undefined ? 'no baseline' : `baseline ${base}`
        // JUnit writes annotations as <property> elements: the trial scores go with them.
        const tr = meta.trials ? ` over ${meta.trials.n} trials [${meta.trials.outcomes.map((t) => (t.error !== undefined ? 'error' : String(t.score))).join(', ')}] (pass rate ${meta.trials.passRate.toFixed(2)})` : ''
        await annotate(`${status}: score ${o.score}${tr} (${b})${o.feedback ? ` — ${o.feedback}` : ''}`, status)
        if (o.error !== undefined) throw new SimbaError('SIMBA_METRIC', `case "${c.name}" of block "${name}" failed: ${o.error}`)
        if (status === 'regressed' && run.enforce) {
          expect.fail(
            meta.trials
              ? `[vitest-simba] case "${c.name}" of block "${name}" regressed: mean ${o.score.toFixed(3)} over ${meta.trials.n} trials vs baseline ${base?.toFixed(3)} (${c.split}); the drop is larger than sampling noise explains (p = ${(meta.trials.p ?? 0).toFixed(4)})`
              : `[vitest-simba] case "${c.name}" of block "${name}" regressed: score ${o.score} vs baseline ${base} (${c.split})`,
          )
        }
      })
    }

    const train = cases.filter((c) => c.split === 'trainset')
    const dev = cases.filter((c) => c.split === 'devset')
    if (dev.length === 0) train.forEach(caseTest)
    else {
      vDescribe('trainset', () => train.forEach(caseTest))
      vDescribe('devset', () => dev.forEach(caseTest))
    }

    /** The gating split's cases with a baseline: name, this run's score, the baseline's. */
    const gatingCases = (): Array<{ name: string; score: number; baseline: number; split?: string }> =>
      cases.flatMap((c) => {
        const base = own(run?.baseline?.[c.split]?.cases, c.name)
        if (!run || c.split !== run.meta.split || base === undefined) return []
        const split = splitOf(c)
        return [{ name: c.name, score: run.outcomes.get(caseKey(c))?.score ?? 0, baseline: base, ...(split ? { split } : {}) }]
      })

    test('mean score', async ({ task, annotate }) => {
      if (!run) throw new SimbaError('SIMBA_CONFIG', `block "${name}" did not run`)
      const split = run.meta.split
      task.meta.simba = run.meta
      const base = run.enforce ? (run.meta.baseline ?? undefined) : undefined
      const named = (x: { name: string; split?: string }): string => (x.split ? `${x.split} ${x.name}` : x.name)
      const moved = [...regressed.map((x) => `${named(x)} ↓`), ...improved.map((x) => `${named(x)} ↑`)].sort()
      const noise = run.meta.trials ? ` ± ${run.meta.trials.half.toFixed(3)} (${run.meta.trials.k} trials, ${run.meta.trials.flaky} flaky)` : ''
      await annotate(`mean ${run.meta.mean.toFixed(3)}${noise} on ${split} (baseline ${run.meta.baseline === null ? 'none' : run.meta.baseline.toFixed(3)})${moved.length ? `; moved: ${moved.join(', ')}` : ''}`)
      const t = run.meta.trials
      const message = t
        ? trialGateMessage({ block: name, split, mean: run.meta.mean, half: t.half, threshold: opts.threshold, baseline: base, tolerance, verdict: meanVerdict, regressed, cases: gatingCases() })
        : gateMessage({ block: name, split, mean: run.meta.mean, threshold: opts.threshold, baseline: base, tolerance, regressed })
      if (message) expect.fail(message)
    })

    afterAll(({}, suite) => {
      if (run) suite.meta.simba = run.meta
    })
  })
}
