import type { LanguageModel, UsageTotals } from '../../core/lm/types.js'
import type { Module } from '../../core/module/module.js'
import type { FixtureRecorder } from '../../recording/recorder.js'

/** LMs a program may use: the block's `lm` plus every predictor's own LM (deduplicated). */
export function programLMs(program: Module | undefined, lm: LanguageModel | undefined): LanguageModel[] {
  const out = new Set<LanguageModel>()
  if (lm) out.add(lm)
  for (const p of program?.predictors() ?? []) if (p.lm) out.add(p.lm)
  return [...out]
}

/** Summed usage of distinct LM objects (copies of one LM share totals; pass the parents). */
export function sumUsage(lms: readonly LanguageModel[]): UsageTotals {
  const total: UsageTotals = { calls: 0, cachedCalls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, cost: 0 }
  for (const lm of new Set(lms)) {
    const u = lm.usage()
    total.calls += u.calls
    total.cachedCalls += u.cachedCalls
    total.promptTokens += u.promptTokens
    total.completionTokens += u.completionTokens
    total.totalTokens += u.totalTokens
    total.cost += u.cost
  }
  return total
}

/** Fixture counters summed over every file the recorder touched. */
export function fixtureCounts(recorder: FixtureRecorder | undefined): { replayed: number; live: number } {
  let replayed = 0
  let live = 0
  for (const s of recorder?.stats() ?? []) {
    replayed += s.replayed
    live += s.recorded + s.live
  }
  return { replayed, live }
}
