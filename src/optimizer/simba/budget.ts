/** Budget caps (checked between phases) and the error budget / fail-fast rules (simba.md §7.2 items 10, 16). */
import { SimbaError } from '../../errors.js'
import type { UsageTotals } from '../../core/lm/types.js'
import { errorText } from './run.js'
import type { RunRecord } from './strategies/types.js'
import type { SimbaBudget, StoppedReason } from './types.js'

/** The first cap reached, or undefined. */
export function budgetReached(usage: UsageTotals, budget: SimbaBudget | undefined): StoppedReason | undefined {
  if (!budget) return undefined
  if (budget.maxCalls !== undefined && usage.calls >= budget.maxCalls) return 'budget:maxCalls'
  if (budget.maxTokens !== undefined && usage.totalTokens >= budget.maxTokens) return 'budget:maxTokens'
  if (budget.maxCost !== undefined && usage.cost >= budget.maxCost) return 'budget:maxCost'
  return undefined
}

/** Counts failed runs; throws SIMBA_ALL_FAILED when all rollouts failed or the error budget is exceeded. */
export class ErrorBudget {
  private count = 0
  private readonly first: string[] = []

  constructor(private readonly maxErrors: number) {}

  /** Records the failures among `runs`; `allMustNotFail` enables the all-failed check (rollouts). */
  add(runs: readonly RunRecord[], where: string, allMustNotFail = false): number {
    const failed = runs.filter((r) => r.error !== undefined)
    for (const r of failed) if (this.first.length < 3 && !this.first.includes(errorText(r.error))) this.first.push(errorText(r.error))
    this.count += failed.length
    if (allMustNotFail && runs.length > 0 && failed.length === runs.length) {
      throw new SimbaError('SIMBA_ALL_FAILED', `every ${where} run failed (${runs.length} of ${runs.length}); stopping early. First errors: ${this.first.map((e) => `"${e}"`).join('; ')}. Check the LM settings (model, baseURL, API key) and the metric.`)
    }
    if (this.count > this.maxErrors) {
      throw new SimbaError('SIMBA_ALL_FAILED', `more than maxErrors=${this.maxErrors} runs failed (${this.count}, last in ${where}). First errors: ${this.first.map((e) => `"${e}"`).join('; ')}. Raise maxErrors or fix the program/metric.`)
    }
    return failed.length
  }
}
