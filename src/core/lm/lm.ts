import { registerSecretLiteral } from '../../internal/secrets/secrets.js'
import type OpenAI from 'openai'
import { APIError } from 'openai/core/error'
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions'
import { LMError, SimbaError } from '../../errors.js'
import { createLimiter } from '../../internal/concurrency/limiter.js'
import type { Limiter } from '../../internal/concurrency/limiter.js'
import { LMCache, cacheKey } from './cache.js'
import type { CachedAnswer, RequestBody } from './cache.js'
import { ROLLOUT_HEADER, lmCallContext, lmHostGuard, lmShortcut } from './context.js'
import type { LMCallInfo } from './context.js'
import { resolveEndpoint, validateOptions } from './options.js'
import type { Endpoint, LMOptions, PriceTable } from './options.js'
import { isRetryable, retryDelayMs, sleep, toLMError } from './retry.js'
import type { CallSite } from './retry.js'
import type { LMRequest, LMResult, LanguageModel, UsageTotals } from './types.js'
import { UsageMeter, costOf, readUsage } from './usage.js'

/** State an LM shares with every copy made from it. */
interface Family {
  limiter: Limiter
  cache: LMCache
  meter: UsageMeter
}

/** A lazily built SDK client, shared by copies that talk to the same endpoint. */
interface ClientSlot {
  client: OpenAI | undefined
}

const lateBoundFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => globalThis.fetch(input, init)

let sdk: Promise<typeof import('openai')> | undefined
/** The openai SDK, imported on the first call that needs it (a run answered from fixtures never does). */
const loadSdk = (): Promise<typeof import('openai')> => (sdk ??= import('openai'))

/**
 * An OpenAI-compatible chat model on the official `openai` SDK, with its own retries, an
 * in-memory cache, a concurrency limit and usage totals shared by all copies.
 */
export class LM implements LanguageModel {
  /** Model name sent to the provider. */
  readonly model: string
  /** Sampling temperature. */
  readonly temperature: number
  /** Rollout id (cache key only; never in the body). */
  readonly rolloutId: number | undefined
  /** `max_tokens` of each request, if set. */
  readonly maxTokens: number | undefined
  /** Resolved base URL. */
  readonly baseURL: string
  /** Prices per 1M tokens (the `prices` option), used for `usage().cost` and optimizer forecasts. */
  readonly prices: PriceTable | undefined

  readonly #options: Readonly<LMOptions>
  readonly #endpoint: Endpoint
  readonly #site: CallSite
  readonly #headers: Record<string, string> | undefined
  readonly #shortcutHeaders: Readonly<Record<string, string>>
  #family: Family
  #slot: ClientSlot = { client: undefined }

  /** Creates an LM; see {@link LMOptions} for defaults. Throws SIMBA_CONFIG for bad options. */
  constructor(options: LMOptions) {
    validateOptions(options)
    this.#options = Object.freeze({ ...options })
    this.model = options.model
    this.temperature = options.temperature ?? 0
    this.rolloutId = options.rolloutId
    this.maxTokens = options.maxTokens
    this.#endpoint = resolveEndpoint(options)
    this.baseURL = this.#endpoint.baseURL
    this.prices = options.prices
    this.#site = { model: this.model, baseURL: this.baseURL, timeoutMs: options.timeoutMs ?? 60_000 }
    const headers = { ...options.headers }
    // The key and every configured header value are secrets: no fixture, snapshot or message shows them.
    registerSecretLiteral(this.#endpoint.apiKey)
    for (const [name, value] of Object.entries(headers)) if (!/^(content-type|accept|user-agent)$/i.test(name)) registerSecretLiteral(value)
    if (options.sendRolloutHeader && this.rolloutId !== undefined) headers[ROLLOUT_HEADER] = String(this.rolloutId)
    this.#headers = Object.keys(headers).length > 0 ? headers : undefined
    const lower: Record<string, string> = { 'content-type': 'application/json' }
    for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value
    this.#shortcutHeaders = Object.freeze(lower)
    this.#family = {
      limiter: options.limiter ?? createLimiter(options.concurrency ?? 8),
      cache: new LMCache(typeof options.cache === 'object' ? options.cache.maxEntries : undefined),
      meter: new UsageMeter(),
    }
  }

  /**
   * A copy with some options changed. It shares the cache, the limiter (unless `limiter` is
   * given) and the usage totals with this LM. An override set to `undefined` restores the default.
   */
  copy(overrides: Partial<LMOptions>): LM {
    const merged: Record<string, unknown> = { ...this.#options }
    for (const [key, value] of Object.entries(overrides)) {
      if (value === undefined) delete merged[key]
      else merged[key] = value
    }
    const lm = new LM(merged as unknown as LMOptions)
    lm.#family = { ...this.#family, limiter: overrides.limiter ?? this.#family.limiter }
    const sameClient =
      lm.#endpoint.baseURL === this.#endpoint.baseURL &&
      lm.#endpoint.apiKey === this.#endpoint.apiKey &&
      lm.#site.timeoutMs === this.#site.timeoutMs &&
      lm.#options.fetch === this.#options.fetch
    if (sameClient) lm.#slot = this.#slot
    return lm
  }

  /** Usage totals of this LM and every copy sharing its meter. */
  usage(): UsageTotals {
    return this.#family.meter.totals()
  }

  /** Forgets every cached answer (for this LM and its copies). */
  clearCache(): void {
    this.#family.cache.clear()
  }

  /** Sends one chat completion request (or answers it from the cache). */
  async call(request: LMRequest): Promise<LMResult> {
    const body = this.#body(request)
    const family = this.#family
    if (this.#options.cache === false) return result(await this.#live(body), false)
    // copies share the cache; one pointed at another server must not get this server's answers
    const key = `${this.baseURL} ${cacheKey(body, this.rolloutId)}`
    const hit = family.cache.get(key)
    if (hit) {
      const answer = await hit
      family.meter.recordCached()
      return result(answer, true)
    }
    const pending = this.#live(body)
    family.cache.set(key, pending)
    return result(await pending, false)
  }

  #body(request: LMRequest): RequestBody {
    checkRequest(request, this.model)
    const body: RequestBody = { model: this.model, messages: request.messages, temperature: this.temperature }
    if (this.maxTokens !== undefined) body['max_tokens'] = this.maxTokens
    if (request.responseFormat) body['response_format'] = request.responseFormat
    const extra = this.#options.extraBody
    if (extra) for (const key of Object.keys(extra)) if (key !== 'model' && key !== 'messages') body[key] = extra[key]
    return body
  }

  async #client(): Promise<OpenAI> {
    if (!this.#slot.client) {
      const { default: OpenAISdk } = await loadSdk()
      this.#slot.client ??= new OpenAISdk({
        baseURL: this.#endpoint.baseURL,
        apiKey: this.#endpoint.apiKey,
        maxRetries: 0,
        timeout: this.#site.timeoutMs,
        fetch: this.#options.fetch ?? lateBoundFetch,
      })
    }
    return this.#slot.client
  }

  /**
   * The reply of the installed shortcut (the fixture replayer) to the request the SDK would send
   * (same method, URL, JSON body and headers), parsed as the SDK would; undefined when there is no
   * reply, or when `fetch` is the user's own. A non-2xx reply throws the SDK's error for it.
   */
  #shortcut(body: RequestBody, info: LMCallInfo): ChatCompletion | undefined {
    const shortcut = lmShortcut()
    if (!shortcut || this.#options.fetch) return undefined
    const base = this.#endpoint.baseURL
    const url = `${base}${base.endsWith('/') ? '' : '/'}chat/completions`
    const reply = lmCallContext.run(info, () => shortcut({ url, method: 'POST', body: JSON.stringify(body), headers: this.#shortcutHeaders }))
    if (!reply) return undefined
    if (reply.status >= 200 && reply.status < 300) return JSON.parse(reply.text) as ChatCompletion
    let json: unknown
    try {
      json = JSON.parse(reply.text)
    } catch {
      json = undefined
    }
    throw APIError.generate(reply.status, json as object | undefined, json === undefined ? reply.text : undefined, new Headers(reply.headers))
  }

  async #live(body: RequestBody): Promise<CachedAnswer> {
    const info: LMCallInfo = { rolloutId: this.rolloutId, model: this.model }
    // The fixture replayer refuses, under CI, a host it does not cover (even with a custom `fetch`).
    lmHostGuard()?.(this.baseURL, info)
    if (this.#endpoint.keyError) throw this.#endpoint.keyError
    const options = this.#options
    const maxRetries = options.maxRetries ?? 3
    // timeout and maxRetries live on the client (copies with another timeout get their own client)
    const requestOptions = this.#headers ? { headers: this.#headers } : undefined
    const send = async (): Promise<ChatCompletion> => {
      delete info.replayed
      // A recorded call is answered before the SDK builds an HTTP request (and before it is loaded).
      const replayed = this.#shortcut(body, info)
      if (replayed) {
        info.replayed = true
        return replayed
      }
      const client = await this.#client()
      return lmCallContext.run(info, () => client.chat.completions.create(body as unknown as ChatCompletionCreateParamsNonStreaming, requestOptions))
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const completion = await this.#family.limiter.run(send)
        const answer = this.#read(completion)
        if (info.replayed === true) answer.replayed = true
        this.#family.meter.recordLive(answer.usage, costOf(options.prices, this.model, answer.usage))
        return answer
      } catch (thrown) {
        const error = toLMError(thrown, this.#site)
        if (attempt > maxRetries || !isRetryable(error)) {
          if (attempt > 1) error.message += ` (gave up after ${attempt} attempts)`
          throw error
        }
        const headers = (thrown as { headers?: unknown }).headers
        const delayMs = retryDelayMs(attempt, headers instanceof Headers ? headers : undefined, options.retryBaseDelayMs ?? 250, options.maxRetryDelayMs ?? 30_000)
        options.onRetry?.({ attempt, delayMs, error })
        await sleep(delayMs)
      }
    }
  }

  #read(completion: ChatCompletion): CachedAnswer {
    const where = `LM "${this.model}" at ${this.baseURL}`
    const body = completion as unknown as { error?: unknown; choices?: unknown } | null | undefined
    // An error object or no choices in a 2xx is not an answer: retried like a 5xx (`malformed`).
    if (body?.error !== undefined && body.error !== null) {
      const detail = (body.error as { message?: unknown }).message
      throw new LMError('SIMBA_LM_HTTP', `${where} answered 200 with an error instead of a completion: ${typeof detail === 'string' ? detail : JSON.stringify(body.error)}`, {
        status: 200,
        model: this.model,
        malformed: true,
      })
    }
    if (!Array.isArray(body?.choices) || body.choices.length === 0) {
      throw new LMError('SIMBA_LM_HTTP', `${where} answered 200 with no choices in the response (${JSON.stringify(completion)?.slice(0, 120)}).`, { status: 200, model: this.model, malformed: true })
    }
    const choice = completion.choices[0]
    const text = choice?.message?.content
    if (choice?.finish_reason === 'length') {
      const limit = this.maxTokens === undefined ? 'maxTokens is not set, so the provider\'s default limit applied' : `maxTokens=${this.maxTokens}`
      throw new LMError(
        'SIMBA_LM_TRUNCATED',
        `${where}: the answer was cut off by the token limit (finish_reason "length"; ${limit}) after ${typeof text === 'string' ? text.length : 0} characters, so it is not used. ` +
          'Raise maxTokens (new LM({ maxTokens: … })) or ask for a shorter answer.',
        { status: 200, model: this.model },
      )
    }
    if (typeof text !== 'string' || text === '') {
      throw new LMError(
        'SIMBA_LM_HTTP',
        `${where}: the provider returned no text (choices[0].message.content is empty; finish_reason=${String(choice?.finish_reason)}). ` +
          'Check maxTokens, content filters, and that the model supports chat completions.',
        { status: 200, model: this.model },
      )
    }
    return { text, usage: readUsage(completion.usage), model: typeof completion.model === 'string' && completion.model ? completion.model : this.model }
  }
}

function result(answer: CachedAnswer, cached: boolean): LMResult {
  return { text: answer.text, usage: { ...answer.usage }, cached, model: answer.model, ...(answer.replayed === true && !cached ? { replayed: true } : {}) }
}

function checkRequest(request: LMRequest, model: string): void {
  const messages = (request as { messages?: unknown } | undefined)?.messages
  const ok =
    Array.isArray(messages) &&
    messages.length > 0 &&
    messages.every((m) => m !== null && typeof m === 'object' && typeof m.role === 'string' && typeof m.content === 'string')
  if (!ok) {
    throw new SimbaError(
      'SIMBA_CONFIG',
      `LM "${model}".call() needs { messages: [{ role, content }, …] } with at least one message and string contents; got ${JSON.stringify(request)?.slice(0, 200)}`,
    )
  }
}
