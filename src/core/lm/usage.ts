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

const isPrice = (v: unknown): boolean => {
  if (v === null || typeof v !== 'object') return false
  const p = v as Record<string, unknown>
  const ok = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x >= 0
  return ok(p['inputPer1M']) && ok(p['outputPer1M']) && Object.keys(p).every((k) => k === 'inputPer1M' || k === 'outputPer1M')
}

/**
 * Why `prices` is not a {@link PriceTable} (undefined when it is one): `{ inputPer1M, outputPer1M }`
 * for every model, or such an object per model name; numbers finite and >= 0.
 */
export function priceTableProblem(prices: unknown): string | undefined {
  if (isPrice(prices)) return undefined
  const example = 'use { inputPer1M: 0.15, outputPer1M: 0.6 } (per 1M tokens) or { "<model>": { inputPer1M, outputPer1M } }'
  if (prices === null || typeof prices !== 'object' || Array.isArray(prices)) return `must be a price table: ${example}`
  const p = prices as Record<string, unknown>
  if ('input' in p || 'output' in p || 'inputPer1M' in p || 'outputPer1M' in p) return `has an unknown shape ${JSON.stringify(Object.keys(p))}: ${example}`
  for (const [model, price] of Object.entries(p)) if (!isPrice(price)) return `price of model "${model}" is not { inputPer1M, outputPer1M } with numbers >= 0: ${example}`
  return undefined
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
