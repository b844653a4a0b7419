/**
 * The local score history: one JSON line per block and run (`.vitest-simba/history.jsonl` by
 * default), and the view of it the HTML report draws. Plain JSON, secrets masked before writing.
 */

/** Runs of each block a history file keeps by default (older ones are dropped). */
export const DEFAULT_HISTORY_KEEP = 50

/** Format version of a history line (`v`); a line with a higher one was written by a newer vitest-simba. */
export const HISTORY_VERSION = 1

/**
 * A case's result in one run: `1` passed, `0` failed, a fraction is the share of passing trials
 * (blocks run with trials), `null` the program or metric threw.
 */
export type HistoryCaseResult = number | null

/** One run of one block. */
export interface HistoryRecord {
  /** Format version ({@link HISTORY_VERSION}). */
  v: 1
  /** When the run ended (ISO 8601, UTC). */
  date: string
  /** The git commit the project was at (40 hex digits), or null outside a git checkout. */
  commit: string | null
  /** The Vitest project's name when the run has several projects, else ''. */
  project: string
  /** Test file, relative to the run's root, with `/` separators. */
  file: string
  /** Block name. */
  block: string
  /** `optimize` when the run evaluated an optimized proposal, else `regression`. */
  mode: 'regression' | 'optimize'
  /** What happened to the snapshot block in this run. */
  snapshot: 'written' | 'unchanged' | 'skipped'
  /** The split that gates the mean. */
  split: 'trainset' | 'devset'
  /** Mean score per split. */
  means: { trainset: number; devset?: number }
  /** Per split, each case's result by case name. */
  cases: { trainset: Record<string, HistoryCaseResult>; devset?: Record<string, HistoryCaseResult> }
  /** LM calls of the block (live = reached a server, replayed = from fixtures). */
  calls: { total: number; live: number; replayed: number }
  /** Tokens of live calls. */
  tokens: number
  /** Cost of live calls (0 without a price table). */
  cost: number
  /** Trials per case, when more than one. */
  trials?: number
}

/** Pass state of a case result: `pass` (1), `fail` (0), `flaky` (some trials passed), `error` (null). */
export type HistoryCaseState = 'pass' | 'fail' | 'flaky' | 'error'

/** One point of the history chart: a run's gating mean. */
export interface HistoryPoint {
  /** When the run ended (ISO 8601). */
  date: string
  /** Git commit (40 hex digits) or null. */
  commit: string | null
  /** Gating mean of the run. */
  mean: number
  /** Whether the run evaluated an optimized proposal. */
  mode: 'regression' | 'optimize'
}

/** A case whose pass state differs from the previous run's. */
export interface HistoryChange {
  /** Split of the case. */
  split: 'trainset' | 'devset'
  /** Case name. */
  name: string
  /** State in the previous run. */
  from: HistoryCaseState
  /** State in this run. */
  to: HistoryCaseState
}

/** What the report shows of a block's history: the last runs' means (oldest first, this run last) and what changed since the previous run. */
export interface HistoryView {
  /** Gating split the means are of. */
  split: 'trainset' | 'devset'
  /** The last runs, oldest first; the last point is this run. */
  points: HistoryPoint[]
  /** The previous run (date and commit), when there was one. */
  previous: { date: string; commit: string | null } | null
  /** Cases whose pass state changed since the previous run (sorted by split, then name). */
  changed: HistoryChange[]
  /** Cases that are new since the previous run (not in it). */
  added: number
}
