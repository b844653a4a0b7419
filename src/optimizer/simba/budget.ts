/**
 * Budget caps (checked between phases) and the error budget: fail fast when every rollout of a step
 * fails, and stop once more than `maxErrors` runs, metric calls or rule-writer calls have failed.
 */
import { SimbaError } from '../../errors.js'
import type { UsageTotals } from '../../core/lm/types.js'
import { errorText } from './run.js'
import type { RunRecord } from './strategies/types.js'
import type { CandidateLog, SimbaBudget, StoppedReason } from './types.js'

/** The first cap reached, or undefined. */
export function budgetReached(usage: UsageTotals, budget: SimbaBudget | undefined): StoppedReason | undefined {
  if (!budget) return undefined
  if (budget.maxCalls !== undefined && usage.calls >= budget.maxCalls) return 'budget:maxCalls'
  if (budget.maxTokens !== undefined && usage.totalTokens >= budget.maxTokens) return 'budget:maxTokens'
  if (budget.maxCost !== undefined && usage.cost >= budget.maxCost) return 'budget:maxCost'
  return undefined
}

/** SIMBA_ALL_FAILED with the kind of failure, so the run can stop early instead of throwing. */
export class RunFailedError extends SimbaError {
  /** Which rule was broken. */
  readonly kind: 'allFailed' | 'maxErrors'
  /** Candidates the failing step had processed (counted in the run summary). */
  candidates: CandidateLog[] = []

  constructor(kind: 'allFailed' | 'maxErrors', message: string) {
    super('SIMBA_ALL_FAILED', message)
    this.kind = kind
  }
}

/** Counts failures; throws RunFailedError when all rollouts failed or the error budget is exceeded. */
export class ErrorBudget {
  private count = 0
  private runFailures = 0
  private readonly first: string[] = []

  constructor(private readonly maxErrors: number) {}

  /** Failed program runs and metric calls so far. */
  get runErrors(): number {
    return this.runFailures
  }

  /** Records the failures among `runs`; `allMustNotFail` enables the all-failed check (rollouts). */
  add(runs: readonly RunRecord[], where: string, allMustNotFail = false): number {
    const failed = runs.filter((r) => r.error !== undefined)
    this.note(failed.map((r) => errorText(r.error)))
    this.runFailures += failed.length
    if (allMustNotFail && runs.length > 0 && failed.length === runs.length) {
      throw new RunFailedError('allFailed', `every ${where} run failed (${runs.length} of ${runs.length}); stopping early. First errors: ${this.firstText()}. Check the LM settings (model, baseURL, API key) and the metric.`)
    }
    this.check(where)
    return failed.length
  }

  /** Records failed rule-writer calls (their error texts) and applies the error budget. */
  addRuleFailures(reasons: readonly string[], where: string): void {
    if (reasons.length === 0) return
    this.note(reasons.map((r) => `rule writer: ${r}`))
    this.check(where)
  }

  private note(texts: readonly string[]): void {
    for (const t of texts) if (this.first.length < 3 && !this.first.includes(t)) this.first.push(t)
    this.count += texts.length
  }

  private check(where: string): void {
    if (this.count > this.maxErrors) {
      throw new RunFailedError('maxErrors', `more than maxErrors=${this.maxErrors} failures (${this.count}, last in ${where}). First errors: ${this.firstText()}. Raise maxErrors or fix the program, metric or prompt model.`)
    }
  }

  private firstText(): string {
    return this.first.map((e) => `"${e}"`).join('; ')
  }
}
