/**
 * Plain-JSON shapes that cross the main-process/worker boundary: what the plugin provides to
 * workers (`inject('simba')`) and what workers put in `task.meta` for the reporter. Errors and
 * class instances never cross; the reporter reads only these fields.
 */
import type {} from 'vitest'

/**
 * Prefix of an optimization progress line a worker logs. The plugin's reporter prints such lines
 * itself, as plain lines outside Vitest's per-test `stdout | file > test` framing, and keeps them
 * off stdout when a JSON/JUnit/TAP report owns it.
 */
export const PROGRESS_MARK = '\u2063simba-progress\u2063'

/** Fixture mode as the workers use it (`auto` is resolved in the main process). */
export type ProvidedFixtureMode = 'replay' | 'record-missing' | 're-record' | 'off'

/** What the plugin hands every worker via `project.provide('simba', …)`. */
export interface SimbaProvided {
  /** Optimize mode (`vitest-simba --optimize`, `--mode optimize` or `SIMBA_OPTIMIZE=1`). */
  optimize: boolean
  /** Vitest's snapshot update mode: `all` (-u), `new` (local), `none` (CI). */
  update: 'all' | 'new' | 'none'
  /** Resolved LM fixture mode. */
  fixtureMode: ProvidedFixtureMode
  /** LM base URLs whose traffic is recorded/replayed. */
  hosts: string[]
  /** What happens to requests to other hosts: `error` (fail as unhandled) or `bypass`. */
  otherHosts: 'error' | 'bypass'
  /** Fixture redaction rules (RegExps as source and flags, so they survive JSON). */
  redact: Array<{ source: string; flags: string; replacement: string }>
  /** Running in CI. */
  ci: boolean
  /** Project root. */
  root: string
  /** Folder for LM fixture files, relative to `root` (default `fixtures`): `<root>/<dir>/<test path>.lm.json`. */
  fixturesDir: string
  /** The run has test-name or file filters (obsolete blocks are then never pruned). */
  filtered: boolean
  /** Default per-block evaluation concurrency. */
  concurrency: number
  /** Default SIMBA options for every block (JSON). */
  optimizer: Record<string, number>
  /** `vitest-simba@x.y.z`. */
  library: string
  /** Trials per case for blocks that set none (the plugin's `trials`; absent = 1). */
  trials?: number
  /** Trials per case for every block in this run (`vitest-simba --trials k`), over the blocks' own setting. */
  trialsOverride?: number
  /** Absolute folder for HTML/JSON reports (`--report[=dir]` or `SIMBA_REPORT`), or null for none. */
  report: string | null
  /** Root of the whole Vitest run (report paths are relative to it). */
  reportRoot: string
  /** This project's name when the run has several projects (its reports get a folder of their own), else ''. */
  project: string
  /** The local score history (absolute file, runs kept per block), or null when off (always in CI). */
  history?: { file: string; keep: number } | null
}

/** How a case compares with its baseline. */
export type CaseStatus = 'pass' | 'new' | 'improved' | 'known-failing' | 'regressed' | 'failing' | 'error' | 'flaky'

/** Per-trial outcomes of a case run with `trials` > 1. */
export interface SimbaCaseTrials {
  /** Number of trials. */
  n: number
  /** Mean score of the trials (the case's `score`). */
  mean: number
  /** Share of trials that passed (score >= the case threshold). */
  passRate: number
  /** pass^k: every trial passed. */
  passAll: boolean
  /** pass@k: at least one trial passed. */
  passAny: boolean
  /** One-sided p-value of the drop against the baseline's trials (null without a baseline). */
  p: number | null
  /** Each trial: its score, and its error when it failed to run or score. */
  outcomes: Array<{ score: number; error?: string }>
}

/** Noise figures of a block run with `trials` > 1. */
export interface SimbaBlockTrials {
  /** Trials per case. */
  k: number
  /** Half-width of the 95% run-to-run noise interval of `mean`. */
  half: number
  /** Cases of the gating split whose trials disagree. */
  flaky: number
  /** One-sided p-value of the mean's drop against the baseline (null without a baseline). */
  p: number | null
}

/** `task.meta.simba` of one case test. */
export interface SimbaCaseMeta {
  /** Discriminator. */
  kind: 'case'
  /** Block name. */
  block: string
  /** Split the case belongs to. */
  split: 'trainset' | 'devset'
  /** Case name. */
  case: string
  /** Score of this run (`null` when the program or metric threw). */
  score: number | null
  /** Baseline score from the snapshot, if any. */
  baseline: number | null
  /** Comparison outcome. */
  status: CaseStatus
  /** What the program answered, as JSON text cut at 500 characters (secrets masked); absent when it threw. */
  prediction?: string
  /** The case's label fields (its non-input fields), as JSON text cut at 500 characters, secrets masked. */
  labels?: string
  /** The metric's feedback, if any (secrets masked). */
  feedback?: string
  /** Why the case failed to run or score (secrets masked). */
  error?: string
  /** Per-trial outcomes, when the block runs more than one trial per case. */
  trials?: SimbaCaseTrials
}

/** `suite.meta.simba` of a block, and of its `mean score` test. */
export interface SimbaBlockMeta {
  /** Discriminator. */
  kind: 'block'
  /** Block name. */
  block: string
  /** Test file (relative to the root). */
  file: string
  /** Gating split. */
  split: 'trainset' | 'devset'
  /** Number of cases in the gating split. */
  cases: number
  /** Mean of the gating split this run. */
  mean: number
  /** Baseline mean, if a snapshot exists. */
  baseline: number | null
  /** Cases that regressed / improved (names). */
  regressed: string[]
  /** Cases that improved. */
  improved: string[]
  /** LM calls made while evaluating (live = reached a server, replayed = from fixtures). */
  calls: { total: number; live: number; replayed: number }
  /** Tokens of live calls. */
  tokens: number
  /** Cost of live calls (0 without a price table). */
  cost: number
  /** Whether the program was optimized in this run. */
  optimized: boolean
  /** What happened to the snapshot block. */
  snapshot: 'written' | 'unchanged' | 'skipped'
  /** Noise figures, when the block runs more than one trial per case. */
  trials?: SimbaBlockTrials
  /** The HTML report page of the block's test file, relative to the run's root, when one was written. */
  report?: string
}

/** `file.meta.simbaFile`: fixture hygiene and snapshot housekeeping of one test file. */
export interface SimbaFileMeta {
  /** LM fixture counts for the file, when the recorder ran. */
  fixtures?: {
    file: string
    replayed: number
    recorded: number
    missing: number
    unused: number
    live: number
    /** Recorded tool calls of the file, when it has any. */
    tools?: { replayed: number; recorded: number; missing: number; unused: number; live: number }
  }
  /** Snapshot blocks not defined in this run. */
  obsolete: string[]
  /** Obsolete blocks removed (only with -u and no filters). */
  pruned: string[]
  /** Snapshot file path (relative to the root). */
  snapshot: string
}

declare module 'vitest' {
  interface ProvidedContext {
    /** Set by the vitest-simba plugin. */
    simba: SimbaProvided
  }
  interface TaskMeta {
    /** vitest-simba scores (case tests, block suites, mean tests). */
    simba?: SimbaCaseMeta | SimbaBlockMeta
    /** vitest-simba per-file fixture and snapshot housekeeping. */
    simbaFile?: SimbaFileMeta
  }
}
