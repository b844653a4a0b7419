import type { ModelPrice, PriceTable } from './options.js'
import type { TokenUsage, UsageTotals } from './types.js'

/** Zero usage, for providers that report none. */
export const NO_USAGE: TokenUsage = Object.freeze({ promptTokens: 0, completionTokens: 0, totalTokens: 0 })

/** Reads the provider's `usage` object (snake_case) into TokenUsage; missing numbers are 0. */
export function readUsage(raw: unknown): TokenUsage {
  if (raw === null || typeof raw !== 'object') return { ...NO_USAGE }
  const r = raw as Record<string, unknown>
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
  const promptTokens = num(r['prompt_tokens'])
  const completionTokens = num(r['completion_tokens'])
  const totalTokens = num(r['total_tokens']) || promptTokens + completionTokens
  return { promptTokens, completionTokens, totalTokens }
}

function isModelPrice(p: PriceTable): p is ModelPrice {
  return typeof (p as ModelPrice).inputPer1M === 'number' && typeof (p as ModelPrice).outputPer1M === 'number'
}

/** Cost of `usage` for `model` under `prices` (0 without prices or for an unlisted model). */
export function costOf(prices: PriceTable | undefined, model: string, usage: TokenUsage): number {
  if (!prices) return 0
  const price = isModelPrice(prices) ? prices : prices[model]
  if (!price) return 0
  return (usage.promptTokens * price.inputPer1M + usage.completionTokens * price.outputPer1M) / 1_000_000
}

/** Running usage totals shared by an LM and its copies. */
export class UsageMeter {
  readonly #totals: UsageTotals = { calls: 0, cachedCalls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, cost: 0 }

  /** Records a live call with its usage and cost. */
  recordLive(usage: TokenUsage, cost: number): void {
    const t = this.#totals
    t.calls++
    t.promptTokens += usage.promptTokens
    t.completionTokens += usage.completionTokens
    t.totalTokens += usage.totalTokens
    t.cost += cost
  }

  /** Records a call served from the cache (no tokens spent). */
  recordCached(): void {
    this.#totals.calls++
    this.#totals.cachedCalls++
  }

  /** A snapshot of the totals. */
  totals(): UsageTotals {
    return { ...this.#totals }
  }
}
