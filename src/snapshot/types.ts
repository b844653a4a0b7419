/**
 * On-disk shape of a program snapshot: `__snapshots__/<test file>.simba.json`, one per test file,
 * one entry per `describe.optimize` block. Plain JSON with sorted keys, so PR diffs stay readable.
 */
import type { ProgramState } from '../core/module/state.js'
import type { SourceRecord } from './source.js'

/**
 * Current snapshot file format version. History: 1 (0.1: instructions as one string, cases keyed
 * by position-disambiguated names, no source fingerprint); 2 (source fingerprint per block,
 * instructions as an array of lines, cases keyed by content).
 */
export const SNAPSHOT_VERSION = 2

/** Scores of one split (trainset or devset) for one program. */
export interface SplitScores {
  /** Mean score over the split's cases. */
  mean: number
  /** Score per case, keyed by case name. */
  cases: Record<string, number>
}

/** The scores the block is gated against. */
export interface Baseline {
  /** Split that gates the mean: `devset` when the block has one, else `trainset`. */
  split: 'trainset' | 'devset'
  /** Mean of the gating split (same as `this[split].mean`). */
  mean: number
  /** Trainset scores. */
  trainset: SplitScores
  /** Devset scores, when the block has a devset. */
  devset?: SplitScores
}

/** One case's trial scores (blocks run with `trials` > 1). */
export interface CaseTrials {
  /** Number of trials. */
  n: number
  /** Mean of the trials (the case's score in the baseline). */
  mean: number
  /** Each trial's score, in trial order. */
  scores: number[]
}

/**
 * What the noise-aware gate needs, stored only for blocks run with `trials` > 1 (blocks without
 * trials keep their files byte-identical): trials per case, and the gating mean with its 95%
 * run-to-run noise interval.
 */
export interface TrialsRecord {
  /** Trials per case. */
  k: number
  /** Mean of the gating split (each case counted by its trials' mean). */
  mean: number
  /** 95% interval of that mean for run-to-run noise: [low, high]. */
  interval: [number, number]
  /** Trainset trials by case name. */
  trainset: Record<string, CaseTrials>
  /** Devset trials by case name, when the block has a devset. */
  devset?: Record<string, CaseTrials>
}

/** Where a snapshot came from. `date` only changes when the rest of the block changes. */
export interface Provenance {
  /** Model(s) the program ran on (comma-separated when predictors differ), or `unknown`. */
  model: string
  /** How the program was produced: `baseline` (not optimized) or `simba`. */
  optimizer: 'baseline' | 'simba'
  /** Optimizer settings (JSON), when optimized. */
  settings?: Record<string, unknown>
  /** Optimizer seed, when optimized. */
  seed?: number
  /** `vitest-simba@x.y.z` that wrote the block. */
  library: string
  /** ISO date (YYYY-MM-DD) the block content last changed. */
  date: string
}

/** One block of the snapshot file. */
export interface BlockSnapshot {
  /** Instructions and demos per predictor; `null` for plain-function programs (nothing to optimize). */
  program: ProgramState | null
  /** Scores the block is gated against. */
  baseline: Baseline
  /** Where it came from. */
  provenance: Provenance
  /** `promptFingerprint` of the program after loading `program`; `null` for plain functions. */
  promptHash: string | null
  /**
   * The program as the code built it before `program` was applied; `null` for plain functions and
   * for blocks migrated from version 1 (source unknown: accepted once, recorded on the next write).
   */
  source: SourceRecord | null
  /** Trials per case and the mean's noise interval, for blocks run with `trials` > 1. */
  trials?: TrialsRecord
  /** Set on blocks migrated from version 1: the baseline's cases are keyed by 0.1's position-based names. */
  legacyCaseNames?: true
}

/** The whole snapshot file. */
export interface SnapshotFileData {
  /** Format version ({@link SNAPSHOT_VERSION}). */
  version: number
  /** Blocks by `describe.optimize` name (full name, nested describes joined with ` > `). */
  blocks: Record<string, BlockSnapshot>
}

/** Vitest's snapshot update mode: `all` (-u), `new` (local default), `none` (CI). */
export type UpdateMode = 'all' | 'new' | 'none'
