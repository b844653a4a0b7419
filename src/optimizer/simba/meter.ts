/**
 * Usage accounting for one SIMBA run. Every LM the optimizer hands to a predictor goes through a
 * counting wrapper, so calls and tokens are exact for this run whatever else shares the LMs.
 * Cost comes from `prices` when given, else from the cost deltas of the caller's LM families.
 */
import type { LanguageModel, LMRequest, LMResult, UsageTotals } from '../../core/lm/types.js'
import type { PriceTable } from '../../core/lm/options.js'
import { costOf } from '../../core/lm/usage.js'

/** Counts live/cached calls and tokens of wrapped LMs. */
export class UsageMeter {
  private calls = 0
  private cachedCalls = 0
  private promptTokens = 0
  private completionTokens = 0
  private pricedCost = 0
  private readonly wrapped = new WeakMap<LanguageModel, LanguageModel>()
  private readonly families: Array<{ lm: LanguageModel; start: UsageTotals }> = []

  /** @param prices optional price table (the LM's `prices` shape) used instead of the LMs' own cost. */
  constructor(private readonly prices?: PriceTable) {}

  /** Remembers a caller LM so its cost delta can be read (no-op when already known). */
  track(lm: LanguageModel): void {
    if (this.families.some((f) => f.lm === lm)) return
    this.families.push({ lm, start: { ...lm.usage() } })
  }

  /** A counting view of `lm` (memoized per LM object). */
  wrap(lm: LanguageModel): LanguageModel {
    const known = this.wrapped.get(lm)
    if (known) return known
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const meter = this
    const view: LanguageModel = {
      get model() {
        return lm.model
      },
      get temperature() {
        return lm.temperature
      },
      get rolloutId() {
        return lm.rolloutId
      },
      get prices() {
        return lm.prices
      },
      async call(request: LMRequest): Promise<LMResult> {
        const result = await lm.call(request)
        meter.record(result)
        return result
      },
      copy: (overrides) => meter.wrap(lm.copy(overrides)),
      usage: () => lm.usage(),
    }
    this.wrapped.set(lm, view)
    this.wrapped.set(view, view)
    return view
  }

  private record(result: LMResult): void {
    if (result.cached) {
      this.cachedCalls++
      return
    }
    this.calls++
    this.promptTokens += result.usage.promptTokens
    this.completionTokens += result.usage.completionTokens
    if (this.prices) this.pricedCost += costOf(this.prices, result.model, result.usage)
  }

  /** Totals so far. */
  totals(): UsageTotals {
    return {
      calls: this.calls,
      cachedCalls: this.cachedCalls,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      totalTokens: this.promptTokens + this.completionTokens,
      cost: this.cost(),
    }
  }

  /** Cost so far: from `prices`, else the sum of the tracked families' cost deltas (LMs that share a meter counted once). */
  private cost(): number {
    if (this.prices) return this.pricedCost
    const seen: string[] = []
    let total = 0
    for (const f of this.families) {
      const now = f.lm.usage()
      // Copies of one LM share one usage object: identical start and current totals → same family.
      const key = JSON.stringify([f.start, now])
      if (seen.includes(key)) continue
      seen.push(key)
      total += Math.max(0, (now.cost ?? 0) - (f.start.cost ?? 0))
    }
    return total
  }
}
