import { isAbsolute, join, relative } from 'node:path'
import type { BlockCase } from './cases.js'
import { writeFileAtomic } from '../../internal/fs/atomic-write.js'
import { maskSecrets } from '../../internal/secrets/secrets.js'
import { renderReportHtml } from '../../report/html.js'
import { withBlock } from '../../report/model.js'
import type { BlockReport, Report, ReportCase, ReportSplitScore } from '../../report/types.js'
import type { CaseStatus, SimbaProvided } from '../shared.js'
import { caseKey, say, shownValue, type BlockRun } from './run-block.js'

/** Reports of this worker's test files so far (a file's blocks run one after another in one worker). */
const reports = new Map<string, Report>()

/** Paths of a test file's report pages: `<dir>/<test file relative to the root>.report.{json,html}`. */
export function reportPaths(dir: string, root: string, testFile: string): { json: string; html: string } {
  const rel = relative(root, testFile)
  const name = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? testFile.split(/[\\/]/).pop() ?? 'tests' : rel
  const base = join(dir, name)
  return { json: `${base}.report.json`, html: `${base}.report.html` }
}

/** The report of one block from its run and the case statuses the block's tests computed. */
export function blockReport(block: string, run: BlockRun, cases: readonly BlockCase[], statuses: ReadonlyMap<string, CaseStatus>): BlockReport {
  const rows: ReportCase[] = cases.map((c) => {
    const o = run.outcomes.get(caseKey(c))
    const row: ReportCase = {
      split: c.split,
      name: c.name,
      input: shownValue(c.example.inputs(), 2000) ?? '',
      baselineScore: run.baseline?.[c.split]?.cases[c.name] ?? null,
      score: o === undefined || o.error !== undefined ? null : o.score,
      status: statuses.get(caseKey(c)) ?? 'error',
    }
    const label = shownValue(c.example.labels(), 2000)
    if (label !== undefined && label !== '{}') row.label = label
    const before = run.report?.baselinePredictions.get(caseKey(c))
    if (before !== undefined) row.baselinePrediction = before
    if (o?.prediction !== undefined) row.prediction = o.prediction
    if (o?.agentTrajectory !== undefined) row.agentTrajectory = o.agentTrajectory
    if (o?.feedback !== undefined) row.feedback = o.feedback
    if (o?.error !== undefined) row.error = o.error
    return row
  })
  const scores: ReportSplitScore[] = (['trainset', 'devset'] as const)
    .filter((s) => run.scores[s] !== undefined)
    .map((s) => ({ split: s, baseline: run.baseline?.[s]?.mean ?? null, current: run.scores[s]?.mean ?? 0 }))
  const m = run.meta
  const x = run.report
  return {
    block,
    mode: m.optimized ? 'optimize' : 'regression',
    split: m.split,
    scores,
    ...(x?.trajectory ? { trajectory: x.trajectory } : {}),
    ...(x?.predictors ? { predictors: x.predictors } : {}),
    cases: rows,
    usage: {
      total: { calls: m.calls.total, live: m.calls.live, replayed: m.calls.replayed, tokens: m.tokens, cost: m.cost },
      ...(x?.optimization ? { optimization: x.optimization } : {}),
      ...(x?.forecast ? { forecast: x.forecast } : {}),
    },
  }
}

/**
 * Adds a block to its test file's report and (re)writes `<file>.report.json` and `.report.html`
 * atomically, secrets masked. A failed write warns (naming the path) instead of failing the tests.
 */
export function writeBlockReport(ctx: SimbaProvided, testFile: string, block: BlockReport): void {
  if (!ctx.report) return
  const paths = reportPaths(ctx.report, ctx.root, testFile)
  const file = relative(ctx.root, testFile) || testFile
  const next = withBlock(reports.get(testFile) ?? { version: 1, file, library: ctx.library, blocks: [] }, block)
  reports.set(testFile, next)
  try {
    writeFileAtomic(paths.json, `${JSON.stringify(next, null, 2)}\n`)
    writeFileAtomic(paths.html, renderReportHtml(next))
    say(`[simba] ${block.block}: report written to ${relative(process.cwd(), paths.html) || paths.html}`)
  } catch (error) {
    console.warn(maskSecrets(`[simba] ${block.block}: could not write the report to ${paths.html}: ${(error as Error).message.replace(/^\[vitest-simba\] /, '')}`))
  }
}
