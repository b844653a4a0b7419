import type { LanguageModel, LMRequest, LMResult, UsageTotals } from '../../../src/core/lm/types.js'

/** A reply: fixed text, or computed from the request. */
export type Script = string | ((request: LMRequest, callIndex: number) => string | Promise<string>)

/** A LanguageModel test double: answers from a script and records every request. */
export class ScriptedLM implements LanguageModel {
  readonly model: string
  readonly temperature: number
  readonly rolloutId: number | undefined
  readonly requests: LMRequest[]
  private readonly queue: Script[]
  private readonly totals: UsageTotals

  constructor(script: Script | Script[], opts: { model?: string; temperature?: number; rolloutId?: number; shared?: ScriptedLM } = {}) {
    this.queue = Array.isArray(script) ? [...script] : [script]
    this.model = opts.model ?? 'scripted'
    this.temperature = opts.temperature ?? 0
    this.rolloutId = opts.rolloutId
    this.requests = opts.shared?.requests ?? []
    this.totals = opts.shared?.totals ?? { calls: 0, cachedCalls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, cost: 0 }
  }

  async call(request: LMRequest): Promise<LMResult> {
    const index = this.requests.length
    this.requests.push(request)
    const script = this.queue.length > 1 ? this.queue.shift()! : this.queue[0]!
    const text = typeof script === 'function' ? await script(request, index) : script
    this.totals.calls++
    this.totals.promptTokens += 10
    this.totals.completionTokens += 5
    this.totals.totalTokens += 15
    return { text, usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 }, cached: false, model: this.model }
  }

  copy(overrides: { temperature?: number; rolloutId?: number | undefined; model?: string }): LanguageModel {
    const c = new ScriptedLM(this.queue.length > 0 ? this.queue : [''], {
      model: overrides.model ?? this.model,
      temperature: overrides.temperature ?? this.temperature,
      rolloutId: 'rolloutId' in overrides ? overrides.rolloutId : this.rolloutId,
      shared: this,
    })
    return c
  }

  usage(): UsageTotals {
    return { ...this.totals }
  }
}

/** Chat-format reply text for the given output values. */
export function chatReply(values: Record<string, unknown>): string {
  return (
    Object.entries(values)
      .map(([k, v]) => `[[ ## ${k} ## ]]\n${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join('\n\n') + '\n\n[[ ## completed ## ]]'
  )
}

/** The last user message of a request (the real inputs). */
export function lastUser(request: LMRequest): string {
  return [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? ''
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
