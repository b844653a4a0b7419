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
 * An in-process answerer the `LM` consults before it hands a request to the openai SDK: it gets the
 * URL and a request init with the method, the JSON body and the headers the SDK would send, and
 * returns a response, or `undefined` to let the request go through the SDK and `fetch` (and
 * whatever intercepts it). Called inside the LM's `lmCallContext`.
 */
export type LMFetchShortcut = (url: string, init: RequestInit | undefined) => Response | undefined

let fetchShortcut: LMFetchShortcut | undefined

/**
 * Installs (or, with `undefined`, removes) the process-wide fetch shortcut. The fixture replayer
 * uses it to answer recorded calls of `LM` without the SDK building an HTTP request and msw
 * intercepting it (an LM with its own `fetch` option never uses it).
 */
export function setLMFetchShortcut(shortcut: LMFetchShortcut | undefined): void {
  fetchShortcut = shortcut
}

/** The installed fetch shortcut, if any. */
export function lmFetchShortcut(): LMFetchShortcut | undefined {
  return fetchShortcut
}
