import type { ProgramState } from '../core/module/state.js'
import { canonicalJson } from '../internal/json/canonical.js'
import { own } from '../internal/json/dict.js'
import { maskDeep } from '../internal/secrets/secrets.js'
import type { StepLog } from '../optimizer/simba/types.js'
import { diffLines } from '../snapshot/line-diff.js'
import { maskSecrets } from '../internal/secrets/secrets.js'
import type { BlockReport, Report, ReportAgentStep, ReportCaseStatus, ReportPredictor, ReportStep, ReportTrajectory } from './types.js'

/** Case filters of the report page, and the statuses each one shows. */
export const CASE_FILTERS = {
  regressed: ['regressed'],
  improved: ['improved'],
  failing: ['failing', 'known-failing', 'error'],
} as const satisfies Record<string, readonly ReportCaseStatus[]>

/** Name of a case filter of the report page. */
export type CaseFilter = keyof typeof CASE_FILTERS

/** The filters a case with this status belongs to (`all` always applies and is not listed). */
export function filtersOf(status: ReportCaseStatus): CaseFilter[] {
  return (Object.keys(CASE_FILTERS) as CaseFilter[]).filter((f) => (CASE_FILTERS[f] as readonly string[]).includes(status))
}

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

/** The score trajectory of a SIMBA run from its step logs (best-so-far is the running max of winners). */
export function trajectoryFromLogs(steps: readonly StepLog[], final?: { score: number; stoppedReason: string }): ReportTrajectory {
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
  return { steps: out, ...(final ? { finalScore: final.score, stoppedReason: final.stoppedReason } : {}) }
}

/** Per predictor: instruction line diff and demos added/removed, snapshot (`before`) vs proposal (`after`). */
export function predictorChanges(before: ProgramState | null | undefined, after: ProgramState): ReportPredictor[] {
  const names = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])].sort()
  return names.map((name) => {
    const b = own(before, name)
    const a = own(after, name)
    const instructions = diffLines(b?.instructions ?? '', a?.instructions ?? '')
    const beforeDemos = new Set((b?.demos ?? []).map((d) => canonicalJson(d)))
    const afterDemos = (a?.demos ?? []).map((d) => canonicalJson(d))
    const afterSet = new Set(afterDemos)
    return {
      name,
      instructionsChanged: instructions.some((d) => d.op !== ' '),
      instructions,
      demos: afterDemos.length,
      demosAdded: afterDemos.filter((d) => !beforeDemos.has(d)),
      demosRemoved: [...beforeDemos].filter((d) => !afterSet.has(d)),
    }
  })
}

/** Case counts by filter (and all), for the filter buttons. */
export function caseCounts(block: BlockReport): Record<CaseFilter | 'all', number> {
  const counts: Record<CaseFilter | 'all', number> = { all: block.cases.length, regressed: 0, improved: 0, failing: 0 }
  for (const c of block.cases) for (const f of filtersOf(c.status)) counts[f]++
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
