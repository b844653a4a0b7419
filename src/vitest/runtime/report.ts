import { isAbsolute, join, relative, sep } from 'node:path'
import type { HistoryView } from '../../history/types.js'
import type { BlockCase } from './cases.js'
import { writeFileAtomic } from '../../internal/fs/atomic-write.js'
import { own } from '../../internal/json/dict.js'
import { maskSecrets } from '../../internal/secrets/secrets.js'
import { renderReportHtml } from '../../report/html.js'
import { withBlock } from '../../report/model.js'
import type { BlockReport, Report, ReportCase, ReportSplitScore } from '../../report/types.js'
import type { CaseStatus, SimbaProvided } from '../shared.js'
import { caseKey, say, shownValue, type BlockRun } from './run-block.js'

/** Reports of this worker's test files so far (a file's blocks run one after another in one worker). */
const reports = new Map<string, Report>()

/** A project name as one safe folder name: characters other than letters, digits, `.`, `_`, `-` percent-encoded, never `.` or `..`. */
function projectFolder(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, (ch) => [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''))
  return /^\.*$/.test(safe) ? safe.replace(/\./g, '%2E') || '%' : safe
}

/**
 * Paths of a test file's report pages: `<dir>/<test file relative to its project's root>.report.{json,html}`,
 * under a folder named after the project when the run has several projects (`project` non-empty), so
 * two projects' files never share a report, also when they run the same file.
 */
export function reportPaths(dir: string, root: string, testFile: string, project = ''): { json: string; html: string } {
  const rel = relative(root, testFile)
  const name = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? testFile.split(/[\\/]/).pop() ?? 'tests' : rel
  const base = project === '' ? join(dir, name) : join(dir, projectFolder(project), name)
  return { json: `${base}.report.json`, html: `${base}.report.html` }
}

/** The report of one block from its run, the case statuses the block's tests computed, the score a case needs to pass and its score history. */
export function blockReport(block: string, run: BlockRun, cases: readonly BlockCase[], statuses: ReadonlyMap<string, CaseStatus>, caseThreshold?: number, history?: HistoryView): BlockReport {
  const rows: ReportCase[] = cases.map((c) => {
    const o = run.outcomes.get(caseKey(c))
    const row: ReportCase = {
      split: c.split,
      name: c.name,
      input: shownValue(c.example.inputs(), 2000) ?? '',
      baselineScore: own(run.baseline?.[c.split]?.cases, c.name) ?? null,
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
    if (o?.trials !== undefined) row.trials = o.trials
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
    ...(caseThreshold !== undefined ? { caseThreshold } : {}),
    scores,
    ...(x?.trajectory ? { trajectory: x.trajectory } : {}),
    ...(x?.predictors ? { predictors: x.predictors } : {}),
    cases: rows,
    usage: {
      total: { calls: m.calls.total, live: m.calls.live, replayed: m.calls.replayed, tokens: m.tokens, cost: m.cost },
      ...(x?.optimization ? { optimization: x.optimization } : {}),
      ...(x?.forecast ? { forecast: x.forecast } : {}),
    },
    ...(history ? { history } : {}),
  }
}

/**
 * Adds a block to its test file's report and (re)writes `<file>.report.json` and `.report.html`
 * atomically, secrets masked. A failed write warns (naming the path) instead of failing the tests.
 * Returns the HTML page's path relative to the run's root when it was written.
 */
export function writeBlockReport(ctx: SimbaProvided, testFile: string, block: BlockReport): string | undefined {
  if (!ctx.report) return undefined
  // The page's path follows the test file's path in its project (as a single project always had);
  // with several projects each has its own folder. The report names the file from the run's root.
  const paths = reportPaths(ctx.report, ctx.root, testFile, ctx.project ?? '')
  const file = relative(ctx.reportRoot ?? ctx.root, testFile) || testFile
  const next = withBlock(reports.get(paths.json) ?? { version: 1, file, library: ctx.library, blocks: [] }, block)
  reports.set(paths.json, next)
  try {
    writeFileAtomic(paths.json, `${JSON.stringify(next, null, 2)}\n`)
    writeFileAtomic(paths.html, renderReportHtml(next))
    say(`[simba] ${block.block}: report written to ${relative(process.cwd(), paths.html) || paths.html}`)
    // Relative to the run's root when inside it, else absolute.
    const rel = relative(ctx.reportRoot ?? ctx.root, paths.html)
    return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? paths.html : rel.split(sep).join('/')
  } catch (error) {
    console.warn(maskSecrets(`[simba] ${block.block}: could not write the report to ${paths.html}: ${(error as Error).message.replace(/^\[vitest-simba\] /, '')}`))
    return undefined
  }
}
