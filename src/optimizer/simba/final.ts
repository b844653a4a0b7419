/**
 * Final selection: an evenly spaced subset of step winners (always the baseline and the last
 * winner) is scored on the selection set (valset when given, else the trainset) and the best is
 * returned (ties favour the earlier finalist). Finalists with identical state are scored once (same
 * scores, fewer calls); scores are logged on the step that produced each winner (DSPy keys them by
 * finalist position − 1, which mislabels them when a step had no winner). With `race` (improved
 * mode) three or more distinct finalists first run on half the selection set and only the two best
 * run on the rest; the others keep their half-set score (`raced`).
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
 * of DSPy's evenly spaced ones (`finalists: 'best'`). `race` is the selection set's size: `score`
 * is then called with an example range, and finalists are raced (see above).
 */
export async function selectFinal<P extends Module>(
  winners: readonly Winner[],
  slots: number,
  program: (id: number) => P,
  score: (p: P, start?: number, end?: number) => Promise<RunRecord[]>,
  pickBest?: (winnerIndex: number) => number,
  race?: number,
): Promise<{ best: P; bestScore: number; finalists: FinalistLog[]; candidatePrograms: Array<{ score: number; program: P }> }> {
  const idx = pickBest ? bestIndices(winners.length, slots, pickBest) : finalIndices(winners.length, slots)
  // Finalists with identical state share one evaluation (keyed by state, in finalist order).
  const keys = idx.map((i) => canonicalJson(program((winners[i] as Winner).id).state()))
  const unique = [...new Set(keys)]
  const firstOf = new Map(unique.map((k) => [k, keys.indexOf(k)]))
  const prog = (key: string): P => program((winners[idx[firstOf.get(key) as number] as number] as Winner).id)
  const meanOf = (rs: RunRecord[]): number => mean(rs.map((r) => r.score))
  const byState = new Map<string, number>()
  const half = race !== undefined && unique.length > 2 && race >= 4 ? Math.floor(race / 2) : 0
  if (half > 0) {
    // Race: every finalist runs on the first half of the selection set; the two best (ties: earlier) also run on the rest.
    const first = await Promise.all(unique.map((k) => score(prog(k), 0, half)))
    const firstMeans = first.map(meanOf)
    const keep = unique.map((_, u) => u).sort((a, b) => (firstMeans[b] as number) - (firstMeans[a] as number) || a - b).slice(0, 2)
    const rest = await Promise.all(keep.map((u) => score(prog(unique[u] as string), half, race)))
    for (const [u, k] of unique.entries()) byState.set(k, firstMeans[u] as number)
    for (const [j, u] of keep.entries()) byState.set(unique[u] as string, meanOf([...(first[u] as RunRecord[]), ...(rest[j] as RunRecord[])]))
    const full = new Set(keep.map((u) => unique[u] as string))
    return pick(keys.map((k) => byState.get(k) as number), keys.map((k) => full.has(k)))
  }
  const all = await Promise.all(unique.map((k) => score(prog(k))))
  for (const [u, k] of unique.entries()) byState.set(k, meanOf(all[u] as RunRecord[]))
  return pick(keys.map((k) => byState.get(k) as number), keys.map(() => true))

  /** The best finalist among those scored on the whole set (ties favour the earlier one). */
  function pick(scores: number[], whole: boolean[]) {
    const finalists = idx.map((i, k) => ({ winnerIndex: i, step: (winners[i] as Winner).step, id: (winners[i] as Winner).id, score: scores[k] as number, ...(whole[k] ? {} : { raced: true as const }) }))
    const order = finalists.map((_, k) => k).sort((a, b) => Number(whole[b]) - Number(whole[a]) || (scores[b] as number) - (scores[a] as number))
    const candidatePrograms = order.map((k) => ({ score: scores[k] as number, program: program((finalists[k] as FinalistLog).id).clone() }))
    const bestK = firstArgMax(scores.map((x, k) => (whole[k] ? x : -Infinity)))
    return { best: program((finalists[bestK] as FinalistLog).id).clone(), bestScore: scores[bestK] as number, finalists, candidatePrograms }
  }
}
