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

/**
 * An in-process answerer the `LM` consults before its request reaches `fetch`: it gets the URL and
 * the request init the openai SDK built, and returns a response, or `undefined` to let the request
 * go on to `fetch` (and to whatever intercepts it). Called inside the LM's `lmCallContext`.
 */
export type LMFetchShortcut = (url: string, init: RequestInit | undefined) => Response | undefined

let fetchShortcut: LMFetchShortcut | undefined

/**
 * Installs (or, with `undefined`, removes) the process-wide fetch shortcut. The fixture replayer
 * uses it to answer recorded calls of `LM` without building and intercepting an HTTP request.
 */
export function setLMFetchShortcut(shortcut: LMFetchShortcut | undefined): void {
  fetchShortcut = shortcut
}

/** The installed fetch shortcut, if any. */
export function lmFetchShortcut(): LMFetchShortcut | undefined {
  return fetchShortcut
}
