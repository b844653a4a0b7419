/**
 * The JSON data of an optimization or regression report (`<file>.report.json`), written beside the
 * HTML page so other tools can read it. Plain JSON, secrets masked before it is written.
 */

import type { HistoryView } from '../history/types.js'

/** How a case compares with its baseline (same values as the case tests' status). */
export type ReportCaseStatus = 'pass' | 'new' | 'improved' | 'known-failing' | 'regressed' | 'failing' | 'error' | 'flaky'

/** One candidate of a step, as drawn in the trajectory chart. */
export interface ReportCandidate {
  /** Pool id (undefined when the strategy failed and no candidate was built). */
  id: number | undefined
  /** Strategy drawn. */
  strategy: string
  /** `applied`, `skipped` or `failed`. */
  outcome: string
  /** Mean score on the step's mini-batch, when evaluated. */
  score?: number
  /** Why it was skipped or failed. */
  reason?: string
}

/** One optimizer step. */
export interface ReportStep {
  /** Step index (0-based; the page and the progress lines show it 1-based). */
  step: number
  /** Mean of the step's rollout scores. */
  rolloutMean?: number
  /** Candidates of the step in bucket order. */
  candidates: ReportCandidate[]
  /** Step winner, or null when no candidate was built. */
  winner: { id: number; score: number } | null
  /** Highest step-winner mini-batch score up to this step (never decreases). */
  bestSoFar?: number
}

/** The reflective start of an improved-mode run (rules written from the starting program's failures). */
export interface ReportStart {
  /** Training cases it ran on. */
  cases: number
  /** Of those, cases the starting program got wrong. */
  failed: number
  /** Mean score of the starting program on them. */
  sourceScore: number
  /** Mean score with the written rules (when they ran on every case). */
  score?: number
  /** Cases the starting program got right that the rules broke. */
  lost?: number
  /** True when the program with the rules joined the search. */
  kept: boolean
}

/** Score trajectory of an optimization run. */
export interface ReportTrajectory {
  /** The reflective start, when the run had one. */
  start?: ReportStart
  /** Steps in order. */
  steps: ReportStep[]
  /** Score of the returned program on the selection set. */
  finalScore?: number
  /** Why the run ended. */
  stoppedReason?: string
}

/** Mean score of one split: the stored baseline and this run. */
export interface ReportSplitScore {
  /** Split name. */
  split: 'trainset' | 'devset'
  /** Stored baseline mean, or null without a snapshot. */
  baseline: number | null
  /** This run's mean. */
  current: number
}

/** One line of an instruction diff. */
export interface ReportDiffLine {
  /** `' '` kept, `'-'` removed, `'+'` added. */
  op: ' ' | '-' | '+'
  /** Line text. */
  text: string
}

/** What changed in one predictor (proposal vs snapshot). */
export interface ReportPredictor {
  /** Predictor name. */
  name: string
  /** Whether the instructions changed. */
  instructionsChanged: boolean
  /** Line diff of the instructions. */
  instructions: ReportDiffLine[]
  /** Demos after the change. */
  demos: number
  /** Demos added, as JSON text (the demo's own field order; compared by content). */
  demosAdded: string[]
  /** Demos removed, as JSON text (the demo's own field order; compared by content). */
  demosRemoved: string[]
}

/** One step of an agent's trajectory (a `ReAct` program), as shown in the report. */
export interface ReportAgentStep {
  /** What the agent thought. */
  thought: string
  /** The tool it called (`finish` at the end). */
  tool: string
  /** Its arguments as JSON text. */
  args: string
  /** What it observed. */
  observation: string
}

/** One LM call of a case, as shown in the report (strings cut at a length limit, secrets masked). */
export interface ReportLMCall {
  /** Discriminant. */
  kind: 'lm'
  /** Predictor that made the call (its dotted name in the program). */
  predictor: string
  /** Model asked. */
  model: string
  /** Adapter that formatted the request (`chat`, or `json` for the fallback after an unreadable reply). */
  adapter: string
  /** The messages sent, demos included (as user/assistant turns). */
  messages: Array<{ role: string; content: string }>
  /** The raw completion text (absent when the call failed). */
  completion?: string
  /** The parsed outputs as JSON text. */
  outputs?: string
  /** Why the completion could not be parsed. */
  parseError?: string
  /** Why the call failed (no completion). */
  error?: string
  /** Tokens the provider reported. */
  tokens?: { prompt: number; completion: number; total: number }
  /** `live` (a server answered), `replayed` (from a fixture), `cached` (an identical earlier call of this run), `failed` (no answer). */
  origin: 'live' | 'replayed' | 'cached' | 'failed'
}

/** One tool call of an agent's case, as shown in the report. */
export interface ReportToolCall {
  /** Discriminant. */
  kind: 'tool'
  /** Tool name. */
  tool: string
  /** Arguments as JSON text. */
  args: string
  /** The result the agent observed. */
  result?: string
  /** The error the agent observed, or that failed the case. */
  error?: string
  /** `live` (ran now), `replayed` (from a fixture), `not-run` (bad arguments or unknown tool). */
  origin: 'live' | 'replayed' | 'not-run'
}

/** One call in a case's trace. */
export type ReportCall = ReportLMCall | ReportToolCall

/** Whether the block's cases carry their traces, and why some were left out. */
export interface ReportTraces {
  /** Cases whose trace is in the report. */
  kept: number
  /** Cases whose trace was left out (passing cases of a large block). */
  leftOut: number
  /** Why they were left out, when some were. */
  reason?: string
}

/** One case: input, label, baseline and current result. */
export interface ReportCase {
  /** Split. */
  split: 'trainset' | 'devset'
  /** Case name. */
  name: string
  /** Input fields as JSON text. */
  input: string
  /** Label fields as JSON text, if any. */
  label?: string
  /** Stored baseline score, or null. */
  baselineScore: number | null
  /** Prediction of the snapshot's program in this run (optimize mode only). */
  baselinePrediction?: string
  /** This run's score (null when the program or metric threw). */
  score: number | null
  /** This run's prediction. */
  prediction?: string
  /** The agent's steps in this run, for agent (`ReAct`) programs. */
  agentTrajectory?: ReportAgentStep[]
  /** Metric feedback. */
  feedback?: string
  /** Error of the program or metric. */
  error?: string
  /** Comparison with the baseline. */
  status: ReportCaseStatus
  /** Each trial's score and error, when the block runs more than one trial per case. */
  trials?: Array<{ score: number; error?: string }>
  /** Every LM and tool call of the case in this run, in start order (first trial only). */
  calls?: ReportCall[]
}

/** LM usage of a block. */
export interface ReportUsage {
  /** Every LM call of the block (optimization included): total, live (reached a server), replayed (from fixtures); live tokens and cost. */
  total: { calls: number; live: number; replayed: number; tokens: number; cost: number }
  /** The optimizer's own usage (optimize mode). */
  optimization?: { calls: number; cachedCalls: number; tokens: number; cost: number }
  /** The optimizer's forecast made before the run (optimize mode). */
  forecast?: { calls: number; tokens: number; cost: number | null }
}

/** Report of one `describe.optimize` block. */
export interface BlockReport {
  /** Block name. */
  block: string
  /** `optimize` (a SIMBA run) or `regression` (the current program against the stored baseline). */
  mode: 'optimize' | 'regression'
  /** Gating split. */
  split: 'trainset' | 'devset'
  /** Score a case needs to pass (the block's `caseThreshold`; 1 when absent). */
  caseThreshold?: number
  /** Mean scores per split. */
  scores: ReportSplitScore[]
  /** Score trajectory (optimize mode). */
  trajectory?: ReportTrajectory
  /** Per-predictor changes (optimize mode). */
  predictors?: ReportPredictor[]
  /** Every case. */
  cases: ReportCase[]
  /** LM usage. */
  usage: ReportUsage
  /** The block's last runs from the local score history and the cases changed since the previous run (absent without a history, e.g. in CI). */
  history?: HistoryView
  /** How many cases carry their LM call traces (absent when the run collected none). */
  traces?: ReportTraces
}

/** Report of one test file (the JSON written beside the HTML page). */
export interface Report {
  /** Format version. */
  version: 1
  /** Test file, relative to the project root. */
  file: string
  /** `vitest-simba@x.y.z`. */
  library: string
  /** Blocks in the order they ran. */
  blocks: BlockReport[]
}
