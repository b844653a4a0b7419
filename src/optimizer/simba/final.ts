/**
 * Final selection: an evenly spaced subset of step winners (always the baseline and the last
 * winner) is scored on the selection set (valset when given, else the trainset) and the best is
 * returned (ties favour the earlier finalist). Finalists with identical state are scored once (same
 * scores, fewer calls); scores are logged on the step that produced each winner (DSPy keys them by
 * finalist position − 1, which mislabels them when a step had no winner).
 */
import { canonicalJson } from '../../internal/json/canonical.js'
import type { Module } from '../../core/module/module.js'
import type { RunRecord } from './strategies/types.js'
import { bestIndices, finalIndices } from './select.js'
import { firstArgMax, mean } from './stats.js'
import type { FinalistLog } from './types.js'

/** A step winner: pool id and producing step (-1 for the baseline). */
export interface Winner {
  id: number
  step: number
}

/**
 * Scores the finalists and picks the best. `score` runs one program on the whole selection set.
 * With `pickBest` (a winner's mini-batch score) the finalists are the best-scoring winners instead
 * of DSPy's evenly spaced ones (`finalists: 'best'`).
 */
export async function selectFinal<P extends Module>(
  winners: readonly Winner[],
  slots: number,
  program: (id: number) => P,
  score: (p: P) => Promise<RunRecord[]>,
  pickBest?: (winnerIndex: number) => number,
): Promise<{ best: P; bestScore: number; finalists: FinalistLog[]; candidatePrograms: Array<{ score: number; program: P }> }> {
  const idx = pickBest ? bestIndices(winners.length, slots, pickBest) : finalIndices(winners.length, slots)
  const byState = new Map<string, Promise<RunRecord[]>>()
  const runs = idx.map((i) => {
    const p = program((winners[i] as Winner).id)
    const key = canonicalJson(p.state())
    let r = byState.get(key)
    if (!r) byState.set(key, (r = score(p)))
    return r
  })
  const scores = (await Promise.all(runs)).map((rs) => mean(rs.map((r) => r.score)))
  const finalists = idx.map((i, k) => ({ winnerIndex: i, step: (winners[i] as Winner).step, id: (winners[i] as Winner).id, score: scores[k] as number }))
  const order = finalists.map((_, k) => k).sort((a, b) => (scores[b] as number) - (scores[a] as number))
  const candidatePrograms = order.map((k) => ({ score: scores[k] as number, program: program((finalists[k] as FinalistLog).id).clone() }))
  const bestK = firstArgMax(scores)
  return { best: program((finalists[bestK] as FinalistLog).id).clone(), bestScore: scores[bestK] as number, finalists, candidatePrograms }
}
