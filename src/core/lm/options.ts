import { SimbaError } from '../../errors.js'
import type { Limiter } from '../../internal/concurrency/limiter.js'
import { priceTableProblem } from './usage.js'

/** Price of one model in currency units per million tokens. */
export interface ModelPrice {
  /** Price per 1M prompt tokens. */
  inputPer1M: number
  /** Price per 1M completion tokens. */
  outputPer1M: number
}

/** One price for every model, or a table keyed by model name (models not listed cost 0). */
export type PriceTable = ModelPrice | Record<string, ModelPrice>

/** What `onRetry` is told before the LM waits and retries. */
export interface RetryInfo {
  /** 1-based number of the attempt that failed. */
  attempt: number
  /** How long the LM waits before the next attempt, in ms. */
  delayMs: number
  /** The (retryable) error of the failed attempt. */
  error: Error
}

/** Settings of an {@link LM}. Only `model` is required. */
export interface LMOptions {
  /** Model name sent to the provider, e.g. `gpt-4o-mini`. */
  model: string
  /** OpenAI-compatible base URL ending in `/v1`; default `OPENAI_BASE_URL`, else `https://api.openai.com/v1`. */
  baseURL?: string
  /** API key; default `OPENAI_API_KEY`. A loopback `baseURL` without a key uses the placeholder `no-key`. */
  apiKey?: string
  /** Sampling temperature (0). */
  temperature?: number
  /** `max_tokens` of each request; omitted when unset. */
  maxTokens?: number
  /** Timeout of one HTTP attempt in ms (60000). */
  timeoutMs?: number
  /** Retries after the first attempt for 429, 408, 5xx, timeouts and connection errors (3). */
  maxRetries?: number
  /** Base of the exponential backoff in ms (250); attempt n waits about base·2^(n-1) plus jitter. */
  retryBaseDelayMs?: number
  /** Upper bound of any single wait, including a provider's `Retry-After`, in ms (30000). */
  maxRetryDelayMs?: number
  /** Requests in flight at once for this LM and all its copies (8). Ignored when `limiter` is set. */
  concurrency?: number
  /** A limiter to share with other LMs (e.g. one per provider account). */
  limiter?: Limiter
  /** Rollout id: part of the cache key, never in the request body. */
  rolloutId?: number | undefined
  /**
   * Serve identical requests from an in-memory cache shared with copies (true). `{ maxEntries }`
   * bounds it (default 10,000 answers, least recently used dropped first); `false` turns it off.
   */
  cache?: boolean | { maxEntries: number }
  /** Prices used for `usage().cost`. */
  prices?: PriceTable
  /** Also send the rollout id as the `x-simba-rollout-id` header (false); for the simulator. */
  sendRolloutHeader?: boolean
  /** Extra request body fields such as `seed` or `top_p`; part of the cache key. */
  extraBody?: Record<string, unknown>
  /** Extra HTTP headers of every request; not part of the cache key. */
  headers?: Record<string, string>
  /** Called before each retry wait (logging, tests). */
  onRetry?: (info: RetryInfo) => void
  /** fetch implementation; default calls the current `globalThis.fetch` (so msw installed later still intercepts). */
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>
}

/** Default OpenAI endpoint. */
export const DEFAULT_BASE_URL = 'https://api.openai.com/v1'

/** Placeholder key used for loopback servers that need none. */
export const LOOPBACK_PLACEHOLDER_KEY = 'no-key'

/** True for http(s) URLs on 127.0.0.0/8, ::1 or localhost. */
export function isLoopback(url: string): boolean {
  let host: string
  try {
    host = new URL(url).hostname
  } catch {
    return false
  }
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

/** Resolved endpoint and key; `keyError` is thrown on the first call when no key could be found. */
export interface Endpoint {
  baseURL: string
  apiKey: string
  keyError: SimbaError | undefined
}

/** Applies the env defaults and the loopback placeholder rule. */
export function resolveEndpoint(options: Pick<LMOptions, 'baseURL' | 'apiKey' | 'model'>, env: NodeJS.ProcessEnv = process.env): Endpoint {
  const baseURL = options.baseURL ?? (env['OPENAI_BASE_URL'] || DEFAULT_BASE_URL)
  const key = options.apiKey ?? (env['OPENAI_API_KEY'] || undefined)
  if (key !== undefined) return { baseURL, apiKey: key, keyError: undefined }
  if (isLoopback(baseURL)) return { baseURL, apiKey: LOOPBACK_PLACEHOLDER_KEY, keyError: undefined }
  const keyError = new SimbaError(
    'SIMBA_CONFIG',
    `no API key for LM "${options.model}" at ${baseURL}: set OPENAI_API_KEY (or pass apiKey to new LM({...})). ` +
      'Tests that should stay offline can use recorded fixtures or a local server on 127.0.0.1.',
  )
  return { baseURL, apiKey: '', keyError }
}

/** Checks numeric options and throws SIMBA_CONFIG naming the bad one. */
export function validateOptions(options: LMOptions): void {
  if (typeof options.model !== 'string' || options.model.trim() === '') {
    throw new SimbaError('SIMBA_CONFIG', 'new LM({...}) needs a non-empty `model` string, e.g. new LM({ model: "gpt-4o-mini" })')
  }
  const checks: Array<[keyof LMOptions, number]> = [
    ['temperature', 0],
    ['maxTokens', 1],
    ['timeoutMs', 1],
    ['maxRetries', 0],
    ['retryBaseDelayMs', 0],
    ['maxRetryDelayMs', 0],
    ['concurrency', 1],
  ]
  for (const [name, min] of checks) {
    const v = options[name]
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < min)) {
      throw new SimbaError('SIMBA_CONFIG', `LM "${options.model}": option ${name} must be a finite number >= ${min}, got ${String(v)}`)
    }
  }
  const cache = options.cache
  if (cache !== undefined && typeof cache !== 'boolean' && !(typeof cache === 'object' && cache !== null && Number.isInteger(cache.maxEntries) && cache.maxEntries >= 1)) {
    throw new SimbaError('SIMBA_CONFIG', `LM "${options.model}": option cache must be true, false or { maxEntries: <integer >= 1> }, got ${JSON.stringify(cache)}`)
  }
  const priceProblem = options.prices === undefined ? undefined : priceTableProblem(options.prices)
  if (priceProblem) throw new SimbaError('SIMBA_CONFIG', `LM "${options.model}": option prices ${priceProblem}`)
  if (options.rolloutId !== undefined && !Number.isInteger(options.rolloutId)) {
    throw new SimbaError('SIMBA_CONFIG', `LM "${options.model}": rolloutId must be an integer or undefined, got ${String(options.rolloutId)}`)
  }
}
