import { AsyncLocalStorage } from 'node:async_hooks'

/** What an in-process HTTP interceptor (the fixture recorder) may learn about the LM call in flight. */
export interface LMCallInfo {
  /** Rollout id of the calling LM, if any. Never sent in the request body. */
  rolloutId: number | undefined
  /** Model of the calling LM. */
  model: string
  /**
   * Set by the fixture recorder when it answers the call from a recording (the one field it writes):
   * the LM reports the answer as replayed, not live.
   */
  replayed?: boolean
}

/**
 * Active while `LM` awaits the openai SDK, so the msw recorder (same thread) can read the rollout
 * id of the request it intercepts. Code outside an LM call sees `undefined`.
 */
export const lmCallContext = new AsyncLocalStorage<LMCallInfo>()

/** Header carrying the rollout id, sent only when an LM sets `sendRolloutHeader: true`. */
export const ROLLOUT_HEADER = 'x-simba-rollout-id'

/** The request an `LM` is about to send, as the openai SDK would send it. */
export interface LMShortcutRequest {
  /** Full URL (`<baseURL>/chat/completions`). */
  url: string
  /** HTTP method (`POST`). */
  method: string
  /** JSON body text, `JSON.stringify` of the body as the SDK encodes it. */
  body: string
  /** The LM's own headers (lower-case names) plus `content-type`; never the API key. */
  headers: Readonly<Record<string, string>>
}

/** A reply given without HTTP: status, headers (lower-case names) and body text. */
export interface LMShortcutReply {
  /** HTTP status. */
  status: number
  /** Response headers. */
  headers: Record<string, string>
  /** Body text. */
  text: string
}

/**
 * An in-process answerer the `LM` consults before it hands a request to the openai SDK: it returns
 * a reply, or `undefined` to let the request go through the SDK and `fetch` (and whatever
 * intercepts it). Called inside the LM's `lmCallContext`.
 */
export type LMShortcut = (request: LMShortcutRequest) => LMShortcutReply | undefined

let installed: LMShortcut | undefined

/**
 * Installs (or, with `undefined`, removes) the process-wide LM shortcut. The fixture replayer uses
 * it to answer recorded calls of `LM` without the SDK building an HTTP request and msw intercepting
 * it (an LM with its own `fetch` option never uses it).
 */
export function setLMShortcut(shortcut: LMShortcut | undefined): void {
  installed = shortcut
}

/** The installed LM shortcut, if any. */
export function lmShortcut(): LMShortcut | undefined {
  return installed
}

/**
 * Checks, before an `LM` sends a call, that its base URL may be reached: throws to refuse the call
 * (the fixture replayer does so under CI for a host it does not cover), returns to let it go on.
 */
export type LMHostGuard = (baseURL: string, info: LMCallInfo) => void

let guard: LMHostGuard | undefined

/** Installs (or, with `undefined`, removes) the process-wide LM host guard (see `LMHostGuard`). */
export function setLMHostGuard(next: LMHostGuard | undefined): void {
  guard = next
}

/** The installed LM host guard, if any. */
export function lmHostGuard(): LMHostGuard | undefined {
  return guard
}
