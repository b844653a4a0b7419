import { AsyncLocalStorage } from 'node:async_hooks'

/** What an in-process HTTP interceptor (the fixture recorder) may learn about the LM call in flight. */
export interface LMCallInfo {
  /** Rollout id of the calling LM, if any. Never sent in the request body. */
  rolloutId: number | undefined
  /** Model of the calling LM. */
  model: string
}

/**
 * Active while `LM` awaits the openai SDK, so the msw recorder (same thread) can read the rollout
 * id of the request it intercepts. Code outside an LM call sees `undefined`.
 */
export const lmCallContext = new AsyncLocalStorage<LMCallInfo>()

/** Header carrying the rollout id, sent only when an LM sets `sendRolloutHeader: true`. */
export const ROLLOUT_HEADER = 'x-simba-rollout-id'
