/** The LM module's public surface (re-exports only). */
export { LM } from './lm.js'
export type { LMOptions, ModelPrice, PriceTable, RetryInfo } from './options.js'
export { lmCallContext, ROLLOUT_HEADER } from './context.js'
export type { LMCallInfo } from './context.js'
export type { ChatMessage, LanguageModel, LMRequest, LMResult, TokenUsage, UsageTotals } from './types.js'
export { cacheKey } from './cache.js'
export { parseRetryAfter } from './retry.js'
