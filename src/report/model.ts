import type { ProgramState } from '../core/module/state.js'
import { canonicalJson } from '../internal/json/canonical.js'
import { own } from '../internal/json/dict.js'
import { maskDeep } from '../internal/secrets/secrets.js'
import type { ReflectiveStartLog, StepLog } from '../optimizer/simba/types.js'
import { diffLines } from '../snapshot/line-diff.js'
import { INTERNAL_DEMO_KEYS } from '../snapshot/program-diff.js'
import { maskSecrets } from '../internal/secrets/secrets.js'
import type { BlockReport, Report, ReportAgentStep, ReportCandidate, ReportCase, ReportPredictor, ReportStart, ReportStep, ReportTrajectory } from './types.js'

/** Score a case needs to pass when the report names no `caseThreshold` (the blocks' default). */
export const DEFAULT_CASE_THRESHOLD = 1

/**
 * Case filters of the report page: `regressed` and `improved` by status; `failing` every case
 * whose score is below the case threshold or that errored (regressed ones included);
 * `known-failing` the failing cases that were already below it in the baseline.
 */
export const CASE_FILTERS = ['regressed', 'improved', 'failing', 'known-failing'] as const

/** Name of a case filter of the report page. */
export type CaseFilter = (typeof CASE_FILTERS)[number]

/** The filters a case belongs to (`all` always applies and is not listed). */
export function filtersOf(c: Pick<ReportCase, 'status' | 'score'>, caseThreshold: number = DEFAULT_CASE_THRESHOLD): CaseFilter[] {
  const out: CaseFilter[] = []
  if (c.status === 'regressed') out.push('regressed')
  if (c.status === 'improved') out.push('improved')
  if (c.status === 'error' || c.score === null || c.score < caseThreshold - 1e-9) out.push('failing')
  if (c.status === 'known-failing') out.push('known-failing')
  return out
}

/** Direction of a score against its baseline, compared as shown (3 decimals); undefined without a baseline. */
export function direction(current: number | null | undefined, baseline: number | null | undefined): 'up' | 'down' | 'same' | undefined {
  if (current === null || current === undefined || baseline === null || baseline === undefined || !Number.isFinite(current) || !Number.isFinite(baseline)) return undefined
  const d = Math.round(current * 1000) - Math.round(baseline * 1000)
  return d > 0 ? 'up' : d < 0 ? 'down' : 'same'
}

/**
 * A demo's fields as `[name, value]` pairs in the demo's order, internal flags left out, string
 * values as they are and others as JSON; from the canonical JSON text the report stores.
 */
export function demoFields(text: string): Array<[string, string]> {
  let demo: unknown
  try {
    demo = JSON.parse(text)
  } catch {
    return [['demo', text]]
  }
  if (demo === null || typeof demo !== 'object' || Array.isArray(demo)) return [['demo', text]]
  return Object.entries(demo as Record<string, unknown>)
    .filter(([k]) => !INTERNAL_DEMO_KEYS.has(k))
    .map(([k, v]) => [k, typeof v === 'string' ? v : canonicalJson(v)])
}

/**
 * What a step's candidates did, for the steps table: scores in bucket order, then each distinct
 * outcome without a score (skipped or failed, with its reason) once, with its count.
 */
export function candidateSummary(candidates: readonly ReportCandidate[]): string {
  const scores: string[] = []
  const others = new Map<string, number>()
  for (const c of candidates) {
    const label = (c.score !== undefined ? fmt3(c.score) : c.outcome) + (c.outcome !== 'applied' && c.reason ? ` (${c.reason})` : '')
    if (c.score !== undefined) scores.push(label)
    else others.set(label, (others.get(label) ?? 0) + 1)
  }
  return [...scores, ...[...others].map(([label, n]) => (n > 1 ? `${n} × ${label}` : label))].join(', ')
}

const fmt3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a')

/** Most agent steps a report case lists, and the longest text of one step field. */
const MAX_AGENT_STEPS = 50
const MAX_STEP_TEXT = 1000

/**
 * The steps of an agent's prediction (its `trajectory` array of `{ thought, tool, args, observation }`),
 * clipped and with secrets masked, or undefined when the prediction is not an agent's.
 */
export function agentStepsOf(prediction: unknown): ReportAgentStep[] | undefined {
  const t = (prediction as { trajectory?: unknown } | null | undefined)?.trajectory
  if (typeof prediction !== 'object' || prediction === null || !Array.isArray(t)) return undefined
  const isStep = (s: unknown): s is Record<string, unknown> => typeof s === 'object' && s !== null && typeof (s as { tool?: unknown }).tool === 'string'
  if (!t.every(isStep)) return undefined
  const clip = (v: unknown): string => {
    const text = maskSecrets(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))
    return text.length > MAX_STEP_TEXT ? `${text.slice(0, MAX_STEP_TEXT)}…` : text
  }
  return t.slice(0, MAX_AGENT_STEPS).map((s) => ({ thought: clip(s.thought ?? ''), tool: clip(s.tool), args: clip(canonicalJson(s.args ?? {})), observation: clip(s.observation ?? '') }))
}

/**
 * The score trajectory of a SIMBA run from its step logs (best-so-far is the running max of the
 * step winners' mini-batch scores, as the optimizer's progress lines show it).
 */
export function trajectoryFromLogs(steps: readonly StepLog[], final?: { score: number; stoppedReason: string }, start?: ReflectiveStartLog): ReportTrajectory {
  let best: number | undefined
  const out: ReportStep[] = steps.map((s) => {
    if (s.winner && (best === undefined || s.winner.score > best)) best = s.winner.score
    const step: ReportStep = {
      step: s.step,
      candidates: s.candidates.map((c) => ({ id: c.id, strategy: c.strategy, outcome: c.outcome, ...(c.score !== undefined ? { score: c.score } : {}), ...(c.reason !== undefined ? { reason: c.reason } : {}) })),
      winner: s.winner ? { id: s.winner.id, score: s.winner.score } : null,
    }
    if (Number.isFinite(s.rolloutMean)) step.rolloutMean = s.rolloutMean
    if (best !== undefined) step.bestSoFar = best
    return step
  })
  const first: ReportStart | undefined = start
    ? { cases: start.examples.length, failed: start.failed, sourceScore: start.sourceScore, ...(start.score !== undefined ? { score: start.score } : {}), ...(start.lost !== undefined ? { lost: start.lost } : {}), kept: start.id !== undefined }
    : undefined
  return { ...(first ? { start: first } : {}), steps: out, ...(final ? { finalScore: final.score, stoppedReason: final.stoppedReason } : {}) }
}

/** Per predictor: instruction line diff and demos added/removed, snapshot (`before`) vs proposal (`after`). */
export function predictorChanges(before: ProgramState | null | undefined, after: ProgramState): ReportPredictor[] {
  const names = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])].sort()
  return names.map((name) => {
    const b = own(before, name)
    const a = own(after, name)
    const instructions = diffLines(b?.instructions ?? '', a?.instructions ?? '')
    // Compared by canonical JSON, kept as JSON text in the demo's own field order (inputs first, as written).
    const beforeDemos = new Map((b?.demos ?? []).map((d) => [canonicalJson(d), JSON.stringify(d)]))
    const afterDemos = new Map((a?.demos ?? []).map((d) => [canonicalJson(d), JSON.stringify(d)]))
    return {
      name,
      instructionsChanged: instructions.some((d) => d.op !== ' '),
      instructions,
      demos: (a?.demos ?? []).length,
      demosAdded: [...afterDemos].filter(([k]) => !beforeDemos.has(k)).map(([, d]) => d),
      demosRemoved: [...beforeDemos].filter(([k]) => !afterDemos.has(k)).map(([, d]) => d),
    }
  })
}

/** Case counts by filter (and all), for the filter buttons. */
export function caseCounts(block: BlockReport): Record<CaseFilter | 'all', number> {
  const counts: Record<CaseFilter | 'all', number> = { all: block.cases.length, regressed: 0, improved: 0, failing: 0, 'known-failing': 0 }
  for (const c of block.cases) for (const f of filtersOf(c, block.caseThreshold)) counts[f]++
  return counts
}

/**
 * The report of a test file with `block` added (a block of the same name is replaced), secrets
 * masked in every string. Blocks keep the order they first ran in.
 */
export function withBlock(report: Report, block: BlockReport): Report {
  const masked = maskDeep(block)
  const at = report.blocks.findIndex((b) => b.block === block.block)
  const blocks = at < 0 ? [...report.blocks, masked] : report.blocks.map((b, i) => (i === at ? masked : b))
  return { ...report, blocks }
}
