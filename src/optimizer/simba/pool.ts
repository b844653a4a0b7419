/**
 * The program pool: programs by creation id (0 = baseline) with the score list each got when
 * registered (never updated later, as in DSPy, unless `creditRollouts` adds the scores of the
 * rollouts each program ran; the baseline's list stays empty unless `faithful: false` scores it). Pool programs are never edited and never run: every run works on
 * its own copy (`copyForRun`), so instance state a program keeps (counters, caches) cannot leak
 * between runs or into the returned program.
 */
import type { Module } from '../../core/module/module.js'
import type { Predict } from '../../core/predict/predict.js'
import { mean } from './stats.js'
import { topKPlusBaseline } from './sampling.js'

/** Pool of immutable program variants and their score lists. */
export class Pool<P extends Module = Module> {
  private readonly programs: P[] = []
  private readonly scores: number[][] = []
  private readonly names = new WeakMap<Predict, string>()

  /** Registers the baseline as id 0. */
  constructor(baseline: P) {
    this.register(baseline, [])
  }

  /** Adds a program with its per-example scores; returns its id. */
  register(program: P, scores: readonly number[]): number {
    for (const [name, p] of program.namedPredictors()) this.names.set(p, name)
    this.programs.push(program)
    this.scores.push([...scores])
    return this.programs.length - 1
  }

  /** Replaces the (empty) score list of a program, e.g. the baseline once it is evaluated. */
  setScores(id: number, scores: readonly number[]): void {
    this.scores[id] = [...scores]
  }

  /** Appends scores to a program's list (`creditRollouts`: the rollouts it ran in later steps). */
  addScores(id: number, scores: readonly number[]): void {
    this.scores[id] = [...(this.scores[id] ?? []), ...scores]
  }

  /**
   * A fresh copy of program `id` for one run, its predictors registered under their names so the
   * run's trace can be mapped back (DSPy likewise deep-copies the program for every rollout).
   */
  copyForRun(id: number): P {
    const copy = this.get(id).clone()
    for (const [name, p] of copy.namedPredictors()) this.names.set(p, name)
    return copy
  }

  /** Program by id. */
  get(id: number): P {
    const p = this.programs[id]
    if (!p) throw new RangeError(`[vitest-simba] no program with id ${id} in the pool`)
    return p
  }

  /** Number of programs. */
  get size(): number {
    return this.programs.length
  }

  /** Mean of a program's score list (0 when empty, as DSPy). */
  avg = (id: number): number => mean(this.scores[id] ?? [])

  /** Scores of a program (copy). */
  scoresOf(id: number): number[] {
    return [...(this.scores[id] ?? [])]
  }

  /** The k best ids by average, with the baseline forced in. */
  top(k: number): number[] {
    return topKPlusBaseline(this.programs.map((_, i) => i), this.avg, k)
  }

  /** Name of a predictor object of any pool program (undefined for unknown predictors). */
  nameOf = (predictor: Predict): string | undefined => this.names.get(predictor)
}
