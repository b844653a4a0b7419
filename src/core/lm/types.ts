/**
 * The LM contract shared by predictors, the optimizer and test doubles. `LM` (lm.ts) is the real
 * implementation on the openai SDK; unit tests may pass any object with this shape.
 */
import type { PriceTable } from './options.js'

/** One chat message as sent to an OpenAI-compatible endpoint. */
export interface ChatMessage {
  /** Who speaks. */
  role: 'system' | 'user' | 'assistant'
  /** Text of the message. */
  content: string
}

/** What an adapter asks of the LM: messages plus an optional structured-output request. */
export interface LMRequest {
  /** The conversation to complete. */
  messages: ChatMessage[]
  /** Ask the provider for a JSON object reply (JSON adapter). */
  responseFormat?: { type: 'json_object' }
}

/** Token counts of one call. */
export interface TokenUsage {
  /** Tokens in the prompt. */
  promptTokens: number
  /** Tokens generated. */
  completionTokens: number
  /** Sum of both. */
  totalTokens: number
}

/** The reply of one LM call. */
export interface LMResult {
  /** The assistant message text. */
  text: string
  /** Token usage reported by the provider (zeros when it reports none). */
  usage: TokenUsage
  /** True when served from the in-memory cache (no request made). */
  cached: boolean
  /** True when the answer was replayed from a recorded test fixture (set by `LM` under the fixture recorder). */
  replayed?: boolean
  /** Model that answered. */
  model: string
}

/** Running totals of an LM and every copy made from it. */
export interface UsageTotals {
  /** Calls answered (live or cached). */
  calls: number
  /** Calls served from the cache. */
  cachedCalls: number
  /** Prompt tokens of live calls. */
  promptTokens: number
  /** Completion tokens of live calls. */
  completionTokens: number
  /** promptTokens + completionTokens. */
  totalTokens: number
  /** Cost in the price table's currency; 0 without a price table. */
  cost: number
}

/** What predictors need from an LM. Implemented by `LM`; scripted test LMs implement it too. */
export interface LanguageModel {
  /** Model name sent to the provider. */
  readonly model: string
  /** Sampling temperature. */
  readonly temperature: number
  /** Rollout id: part of the cache and fixture key, never sent in the request body. */
  readonly rolloutId: number | undefined
  /** Prices of this model per 1M tokens, when known (used for cost accounting and forecasts). */
  readonly prices?: PriceTable | undefined
  /** Sends one chat completion request. */
  call(request: LMRequest): Promise<LMResult>
  /** A copy with some settings changed; shares cache, concurrency limit and usage totals. */
  copy(overrides: { temperature?: number; rolloutId?: number | undefined; model?: string; maxTokens?: number }): LanguageModel
  /** Usage totals of this LM family. */
  usage(): UsageTotals
}
