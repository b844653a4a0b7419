/**
 * The block's line in the local score history (`.vitest-simba/history.jsonl` unless configured):
 * appended after every run outside CI, read back for the report's chart of the last runs and the
 * cases that changed since the previous run. A history that cannot be read or written never fails
 * the tests: it costs one warning line.
 */
import { relative, sep } from 'node:path'
import { summarizeTrials } from '../../core/evaluate/stats.js'
import { historyView } from '../../history/format.js'
import { gitCommit } from '../../history/git.js'
import { appendHistory } from '../../history/store.js'
import { HISTORY_VERSION, type HistoryCaseResult, type HistoryRecord, type HistoryView } from '../../history/types.js'
import { dict } from '../../internal/json/dict.js'
import { maskSecrets } from '../../internal/secrets/secrets.js'
import { DEFAULT_CASE_THRESHOLD } from './compare.js'
import type { SimbaProvided } from '../shared.js'
import type { BlockCase } from './cases.js'
import { caseKey, type BlockRun } from './run-block.js'

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6 + 0

/** The history record of one block's run (pure apart from the date and commit it is given). */
export function historyRecord(args: {
  block: string
  file: string
  project: string
  date: string
  commit: string | null
  run: Pick<BlockRun, 'outcomes' | 'scores' | 'meta' | 'trials'>
  cases: readonly BlockCase[]
  caseThreshold: number | undefined
}): HistoryRecord {
  const { run } = args
  const threshold = args.caseThreshold ?? DEFAULT_CASE_THRESHOLD
  const results = (split: 'trainset' | 'devset'): Record<string, HistoryCaseResult> => {
    const out = dict<HistoryCaseResult>()
    for (const c of args.cases) {
      if (c.split !== split) continue
      const o = run.outcomes.get(caseKey(c))
      if (!o || o.error !== undefined) out[c.name] = null
      else if (o.trials) out[c.name] = round6(summarizeTrials(o.trials.map((t) => t.score), threshold).passRate)
      else out[c.name] = o.score >= threshold - 1e-9 ? 1 : 0
    }
    return out
  }
  const dev = run.scores.devset
  const m = run.meta
  return {
    v: HISTORY_VERSION,
    date: args.date,
    commit: args.commit,
    project: args.project,
    file: args.file,
    block: args.block,
    mode: m.optimized ? 'optimize' : 'regression',
    snapshot: m.snapshot,
    split: m.split,
    means: dev ? { trainset: round6(run.scores.trainset.mean), devset: round6(dev.mean) } : { trainset: round6(run.scores.trainset.mean) },
    cases: dev ? { trainset: results('trainset'), devset: results('devset') } : { trainset: results('trainset') },
    calls: { total: m.calls.total, live: m.calls.live, replayed: m.calls.replayed },
    tokens: m.tokens,
    cost: round6(Math.max(0, m.cost)),
    ...(run.trials > 1 ? { trials: run.trials } : {}),
  }
}

/**
 * Appends the block's record to the history (outside CI, when the history is on) and returns the
 * report's view of it; undefined when there is no history. Failures are one warning line.
 */
export function recordHistory(ctx: SimbaProvided, testFile: string, block: string, run: BlockRun, cases: readonly BlockCase[], caseThreshold: number | undefined): HistoryView | undefined {
  const history = ctx.history
  if (!history || ctx.ci) return undefined
  const runRoot = ctx.reportRoot ?? ctx.root
  try {
    const record = historyRecord({
      block: maskSecrets(block),
      file: maskSecrets((relative(runRoot, testFile) || testFile).split(sep).join('/')),
      project: ctx.project ?? '',
      date: new Date().toISOString(),
      commit: gitCommit(runRoot),
      run,
      cases,
      caseThreshold,
    })
    const result = appendHistory(history.file, record, { keep: history.keep })
    if (result.warning) console.warn(maskSecrets(result.warning))
    return historyView(result.previous, record)
  } catch (error) {
    console.warn(maskSecrets(`[simba] ${block}: score history ${history.file} not updated: ${(error as Error).message.replace(/^\[vitest-simba\] /, '')}`))
    return undefined
  }
}
