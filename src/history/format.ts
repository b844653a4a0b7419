/**
 * History lines: writing one record as one JSON line, reading a file of them back, and the report's
 * view of a block's last runs. Pure functions; the file handling is in `store.ts`.
 */
import { dict } from '../internal/json/dict.js'
import { HISTORY_VERSION, type HistoryCaseResult, type HistoryCaseState, type HistoryChange, type HistoryRecord, type HistoryView } from './types.js'

/** Why a history file cannot be used as it is. */
export type HistoryProblem =
  | { kind: 'corrupt'; line: number; reason: string }
  | { kind: 'newer'; line: number; version: number }

/** A history file's records, or the first problem found in it. */
export type ParsedHistory = { records: HistoryRecord[]; problem?: undefined } | { records?: undefined; problem: HistoryProblem }

/** The key that ties a block's records together across runs: project, file and block name. */
export function historyKey(r: Pick<HistoryRecord, 'project' | 'file' | 'block'>): string {
  return `${r.project}\0${r.file}\0${r.block}`
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0
const isFiniteNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0
const isUnit = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1
const isSplit = (v: unknown): v is 'trainset' | 'devset' => v === 'trainset' || v === 'devset'

/** The case results of one split as a prototype-free map, or a reason it is not one. */
function caseMap(v: unknown, where: string): Record<string, HistoryCaseResult> | string {
  if (!isObject(v)) return `${where} is not an object`
  const out = dict<HistoryCaseResult>()
  for (const key of Object.keys(v)) {
    const x = v[key]
    if (x !== null && !isUnit(x)) return `${where} has a result that is neither null nor a number in [0, 1]`
    out[key] = x
  }
  return out
}

/** One line read back as a record, or why it is not one (`newer` for a higher format version). */
export function parseHistoryLine(line: string): { record: HistoryRecord } | { newer: number } | { reason: string } {
  let o: unknown
  try {
    o = JSON.parse(line)
  } catch {
    return { reason: 'not JSON' }
  }
  if (!isObject(o)) return { reason: 'not a JSON object' }
  if (typeof o['v'] === 'number' && Number.isSafeInteger(o['v']) && o['v'] > HISTORY_VERSION) return { newer: o['v'] }
  if (o['v'] !== HISTORY_VERSION) return { reason: 'no history format version' }
  const { date, commit, project, file, block, mode, snapshot, split, means, cases, calls, tokens, cost, trials } = o
  if (typeof date !== 'string' || Number.isNaN(Date.parse(date))) return { reason: 'no date' }
  if (commit !== null && (typeof commit !== 'string' || !/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(commit))) return { reason: 'bad commit' }
  if (typeof project !== 'string' || typeof file !== 'string' || typeof block !== 'string') return { reason: 'no project, file or block' }
  if (mode !== 'regression' && mode !== 'optimize') return { reason: 'bad mode' }
  if (snapshot !== 'written' && snapshot !== 'unchanged' && snapshot !== 'skipped') return { reason: 'bad snapshot' }
  if (!isSplit(split)) return { reason: 'bad split' }
  if (!isObject(means) || !isUnit(means['trainset']) || (means['devset'] !== undefined && !isUnit(means['devset']))) return { reason: 'bad means' }
  if (!isObject(cases)) return { reason: 'no cases' }
  const train = caseMap(cases['trainset'], 'cases.trainset')
  if (typeof train === 'string') return { reason: train }
  const dev = cases['devset'] === undefined ? undefined : caseMap(cases['devset'], 'cases.devset')
  if (typeof dev === 'string') return { reason: dev }
  if (split === 'devset' && (dev === undefined || means['devset'] === undefined)) return { reason: 'devset gates but is missing' }
  if (!isObject(calls) || !isCount(calls['total']) || !isCount(calls['live']) || !isCount(calls['replayed'])) return { reason: 'bad calls' }
  if (!isCount(tokens) || !isFiniteNonNegative(cost)) return { reason: 'bad tokens or cost' }
  if (trials !== undefined && !(isCount(trials) && trials > 1)) return { reason: 'bad trials' }
  const record: HistoryRecord = {
    v: HISTORY_VERSION,
    date,
    commit,
    project,
    file,
    block,
    mode,
    snapshot,
    split,
    means: means['devset'] === undefined ? { trainset: means['trainset'] } : { trainset: means['trainset'], devset: means['devset'] as number },
    cases: dev === undefined ? { trainset: train } : { trainset: train, devset: dev },
    calls: { total: calls['total'], live: calls['live'], replayed: calls['replayed'] },
    tokens,
    cost,
    ...(trials !== undefined ? { trials } : {}),
  }
  return { record }
}

/**
 * Reads a history file's text. Every line must be a record (blank lines are skipped); the first
 * line that is not, or a last line without its newline (a write cut short), makes the file
 * corrupt; a line of a newer format makes it `newer`. Never throws.
 */
export function parseHistory(text: string): ParsedHistory {
  const lines = text.split('\n')
  const last = lines.pop() ?? ''
  const records: HistoryRecord[] = []
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue
    const r = parseHistoryLine(line)
    if ('newer' in r) return { problem: { kind: 'newer', line: i + 1, version: r.newer } }
    if ('reason' in r) return { problem: { kind: 'corrupt', line: i + 1, reason: r.reason } }
    records.push(r.record)
  }
  if (last.trim() !== '') {
    const r = parseHistoryLine(last)
    if ('newer' in r) return { problem: { kind: 'newer', line: lines.length + 1, version: r.newer } }
    return { problem: { kind: 'corrupt', line: lines.length + 1, reason: 'the last line is cut short (no newline at its end)' } }
  }
  return { records }
}

/** What {@link scanHistory} found: the block's own records, and every line with whether it is the block's. */
export type ScannedHistory = { previous: HistoryRecord[]; lines: Array<{ raw: string; mine: boolean }>; problem?: undefined } | { previous?: undefined; lines?: undefined; problem: HistoryProblem }

/**
 * Reads a history file for one block, cheaply: the block's lines (found by their fixed
 * `"project":…,"file":…,"block":…` run, as {@link serializeRecord} writes it) are parsed in full;
 * other blocks' lines are only checked for their shape (a `{"v":N,` start, a `}` end) and kept as
 * text. A corrupt or newer line is reported like {@link parseHistory} does. Never throws.
 */
export function scanHistory(text: string, key: Pick<HistoryRecord, 'project' | 'file' | 'block'>): ScannedHistory {
  const marker = `,"project":${JSON.stringify(key.project)},"file":${JSON.stringify(key.file)},"block":${JSON.stringify(key.block)},"mode":`
  const wanted = historyKey(key)
  const parts = text.split('\n')
  const last = parts.pop() ?? ''
  if (last.trim() !== '') {
    const r = parseHistoryLine(last)
    if ('newer' in r) return { problem: { kind: 'newer', line: parts.length + 1, version: r.newer } }
    return { problem: { kind: 'corrupt', line: parts.length + 1, reason: 'the last line is cut short (no newline at its end)' } }
  }
  const previous: HistoryRecord[] = []
  const lines: Array<{ raw: string; mine: boolean }> = []
  for (const [i, raw] of parts.entries()) {
    if (raw.trim() === '') continue
    const v = /^\{"v":(\d+),/.exec(raw)
    const mine = raw.includes(marker)
    if (!v || Number(v[1]) !== HISTORY_VERSION || mine || !raw.endsWith('}')) {
      const r = parseHistoryLine(raw)
      if ('newer' in r) return { problem: { kind: 'newer', line: i + 1, version: r.newer } }
      if ('reason' in r) return { problem: { kind: 'corrupt', line: i + 1, reason: r.reason } }
      const isMine = historyKey(r.record) === wanted
      if (isMine) previous.push(r.record)
      lines.push({ raw, mine: isMine })
    } else lines.push({ raw, mine: false })
  }
  return { previous, lines }
}

/** A record as one line of JSON, newline included (fields in a fixed order). */
export function serializeRecord(r: HistoryRecord): string {
  const ordered: HistoryRecord = {
    v: r.v,
    date: r.date,
    commit: r.commit,
    project: r.project,
    file: r.file,
    block: r.block,
    mode: r.mode,
    snapshot: r.snapshot,
    split: r.split,
    means: r.means.devset === undefined ? { trainset: r.means.trainset } : { trainset: r.means.trainset, devset: r.means.devset },
    cases: r.cases.devset === undefined ? { trainset: r.cases.trainset } : { trainset: r.cases.trainset, devset: r.cases.devset },
    calls: { total: r.calls.total, live: r.calls.live, replayed: r.calls.replayed },
    tokens: r.tokens,
    cost: r.cost,
    ...(r.trials !== undefined ? { trials: r.trials } : {}),
  }
  return `${JSON.stringify(ordered)}\n`
}

/** Pass state of a case result. */
export function caseState(result: HistoryCaseResult): HistoryCaseState {
  if (result === null) return 'error'
  if (result >= 1) return 'pass'
  if (result <= 0) return 'fail'
  return 'flaky'
}

const mean = (r: HistoryRecord): number => (r.split === 'devset' ? (r.means.devset ?? r.means.trainset) : r.means.trainset)

/**
 * The report's view of a block's history: the gating mean of the last `points` runs (the earlier
 * runs in `previous`, oldest first, then `current`), and the cases whose pass state changed since
 * the run before this one. Runs gated on another split are left out of the chart.
 */
export function historyView(previous: readonly HistoryRecord[], current: HistoryRecord, points = 20): HistoryView {
  const runs = [...previous.filter((r) => r.split === current.split), current].slice(-Math.max(1, points))
  const before = previous.at(-1)
  const changed: HistoryChange[] = []
  let added = 0
  if (before) {
    for (const split of ['trainset', 'devset'] as const) {
      const now = current.cases[split]
      if (!now) continue
      const then = before.cases[split]
      for (const name of Object.keys(now).sort()) {
        if (!then || !Object.hasOwn(then, name)) {
          added++
          continue
        }
        const from = caseState(then[name] as HistoryCaseResult)
        const to = caseState(now[name] as HistoryCaseResult)
        if (from !== to) changed.push({ split, name, from, to })
      }
    }
  }
  return {
    split: current.split,
    points: runs.map((r) => ({ date: r.date, commit: r.commit, mean: mean(r), mode: r.mode })),
    previous: before ? { date: before.date, commit: before.commit } : null,
    changed,
    added,
  }
}
