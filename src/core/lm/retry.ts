// The SDK's error classes only (the same module the SDK's entry re-exports), not the whole SDK.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai/core/error'
import { LMError, isSimbaError } from '../../errors.js'
import type { SimbaError } from '../../errors.js'

/**
 * Parses a `Retry-After` header (delay in seconds, possibly fractional, or an HTTP date) into ms.
 * Returns undefined when absent or unparseable; past dates give 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined
  const text = value.trim()
  if (text === '') return undefined
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/** Exponential backoff with full jitter on the upper half: base·2^(attempt-1) · (0.5 + random/2), capped. */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = baseMs * 2 ** Math.max(0, attempt - 1)
  return Math.min(maxMs, Math.round(exp * (0.5 + random() / 2)))
}

/**
 * Wait before retrying after failed attempt number `attempt` (1-based): the provider's
 * `Retry-After` (or `retry-after-ms`) when present, else backoff; never more than `maxMs`.
 */
export function retryDelayMs(attempt: number, headers: Headers | undefined, baseMs: number, maxMs: number, random?: () => number): number {
  const ms = headers?.get('retry-after-ms')
  const fromMs = ms && /^\d+(\.\d+)?$/.test(ms.trim()) ? Math.round(Number(ms)) : undefined
  const hinted = fromMs ?? parseRetryAfter(headers?.get('retry-after'))
  if (hinted !== undefined) return Math.min(maxMs, hinted)
  return backoffDelayMs(attempt, baseMs, maxMs, random)
}

/** Where a failed call went, for error messages. */
export interface CallSite {
  model: string
  baseURL: string
  timeoutMs: number
}

function providerMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined
  if (body && typeof body.message === 'string') return body.message
  return error.message.replace(/^\d{3}\s+/, '')
}

function hint(status: number): string {
  if (status === 401 || status === 403) return ' Check OPENAI_API_KEY (or the apiKey option) for this provider.'
  if (status === 404) return ' Check the model name and baseURL.'
  if (status === 429) return ' The provider is rate limiting: lower `concurrency` or raise `maxRetries`.'
  return ''
}

/**
 * Turns whatever the openai SDK threw into an LMError (or passes a SimbaError from a custom fetch
 * or interceptor through unchanged). Any 4xx except 408/429 is final; see LMError.isRetryable.
 */
export function toLMError(error: unknown, site: CallSite): SimbaError {
  if (isSimbaError(error)) return error
  const where = `LM "${site.model}" at ${site.baseURL}`
  if (error instanceof APIConnectionTimeoutError) {
    return new LMError('SIMBA_LM_TIMEOUT', `${where}: no response within timeoutMs=${site.timeoutMs}. Raise timeoutMs or check the server.`, { model: site.model, cause: error })
  }
  if (error instanceof APIUserAbortError) {
    return new LMError('SIMBA_LM_CONNECTION', `${where}: request aborted.`, { model: site.model, cause: error })
  }
  if (error instanceof APIConnectionError) {
    const cause = (error as { cause?: unknown }).cause
    if (isSimbaError(cause)) return cause
    const detail = cause instanceof Error ? `${error.message} (${cause.message})` : error.message
    return new LMError('SIMBA_LM_CONNECTION', `${where}: could not connect: ${detail}. Check baseURL and that the server is running.`, { model: site.model, cause: error })
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status
    return new LMError('SIMBA_LM_HTTP', `${where} answered HTTP ${status}: ${providerMessage(error)}.${hint(status)}`, { status, model: site.model, cause: error })
  }
  if (error instanceof SyntaxError) {
    return new LMError('SIMBA_LM_HTTP', `${where} returned a response that is not valid JSON: ${error.message}`, { status: 200, model: site.model, cause: error, malformed: true })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new LMError('SIMBA_LM_HTTP', `${where}: request failed: ${message}`, { model: site.model, cause: error })
}

/** True when another attempt may succeed. */
export function isRetryable(error: SimbaError): boolean {
  return error instanceof LMError && error.isRetryable
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms))
}
