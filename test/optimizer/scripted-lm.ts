/** A scripted LanguageModel for SIMBA tests: deterministic replies, optional random latencies. */
import type { PriceTable } from '../../src/core/lm/options.js'
import type { LanguageModel, LMRequest, LMResult, UsageTotals } from '../../src/core/lm/types.js'

/** What the reply function sees. */
export interface CallInfo {
  request: LMRequest
  temperature: number
  rolloutId: number | undefined
  system: string
  last: string
}

interface Family {
  usage: UsageTotals
  calls: CallInfo[]
}

/** Options of the scripted LM. */
export interface ScriptedOptions {
  reply: (info: CallInfo) => string
  /** Milliseconds to wait per call (may be random). */
  latency?: (info: CallInfo) => number
  temperature?: number
  rolloutId?: number
  model?: string
  /** Prices the LM reports (as the real LM's `prices` option). */
  prices?: PriceTable
}

/** A LanguageModel whose copies share usage and the call log, like the real LM. */
export class ScriptedLM implements LanguageModel {
  readonly model: string
  readonly temperature: number
  readonly rolloutId: number | undefined
  readonly prices: PriceTable | undefined
  readonly family: Family

  constructor(readonly options: ScriptedOptions, family?: Family) {
    this.model = options.model ?? 'scripted'
    this.temperature = options.temperature ?? 0
    this.rolloutId = options.rolloutId
    this.prices = options.prices
    this.family = family ?? { usage: { calls: 0, cachedCalls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, cost: 0 }, calls: [] }
  }

  async call(request: LMRequest): Promise<LMResult> {
    const system = request.messages[0]?.content ?? ''
    const last = request.messages[request.messages.length - 1]?.content ?? ''
    const info: CallInfo = { request, temperature: this.temperature, rolloutId: this.rolloutId, system, last }
    const ms = this.options.latency?.(info) ?? 0
    if (ms > 0) await new Promise((r) => setTimeout(r, ms))
    this.family.calls.push(info)
    const text = this.options.reply(info)
    const u = this.family.usage
    u.calls++
    u.promptTokens += 10
    u.completionTokens += 2
    u.totalTokens += 12
    u.cost += 0.001
    return { text, usage: { promptTokens: 10, completionTokens: 2, totalTokens: 12 }, cached: false, model: this.model }
  }

  copy(overrides: { temperature?: number; rolloutId?: number | undefined; model?: string }): ScriptedLM {
    return new ScriptedLM({ ...this.options, ...overrides }, this.family)
  }

  usage(): UsageTotals {
    return { ...this.family.usage }
  }
}

/** Value of the `[[ ## name ## ]]` block in a chat message. */
export function block(text: string, name: string): string | undefined {
  const m = new RegExp(`\\[\\[ ## ${name} ## \\]\\]\\n([\\s\\S]*?)(?=\\n\\n\\[\\[ ## |\\n\\[\\[ ## |$)`).exec(text)
  return m?.[1]?.trim()
}

/** A chat-format reply with the given output fields. */
export function chatReply(fields: Record<string, unknown>): string {
  const parts = Object.entries(fields).map(([k, v]) => `[[ ## ${k} ## ]]\n${typeof v === 'string' ? v : JSON.stringify(v)}`)
  return `${parts.join('\n\n')}\n\n[[ ## completed ## ]]`
}

/** Small stable hash for scripted randomness. */
export function hash(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}
