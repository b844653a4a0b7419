/**
 * A scripted OpenAI-compatible HTTP server on 127.0.0.1 (port 0) for tests. Shared by the LM,
 * fixtures, SIMBA and Vitest end-to-end tests, so keep this API small and stable.
 *
 * ```ts
 * const server = await startScriptedServer({ reply: (body) => `echo ${body.messages.at(-1)?.content}` })
 * const lm = new LM({ model: 'm', baseURL: server.url })   // server.url ends with /v1
 * …
 * await server.close()
 * ```
 *
 * Routes: `POST /v1/chat/completions` (JSON, or SSE chunks ending in `data: [DONE]` when the body
 * has `stream: true`), `GET /v1/models`. Anything else is a 404 with an OpenAI-style error body.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** The parsed JSON body of a chat completion request (loosely typed; tests read what they need). */
export interface ChatCompletionBody {
  model: string
  messages: Array<{ role: string; content: string }>
  stream?: boolean
  [key: string]: unknown
}

/** One request the server received, captured before it is answered. */
export interface CapturedRequest {
  /** 0-based arrival order over all routes. */
  index: number
  /** HTTP method. */
  method: string
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string
  /** Request headers, lower-cased names (multi-valued headers joined with `, `). */
  headers: Record<string, string>
  /** Parsed JSON body (`undefined` for GET or an unparseable body). */
  body: ChatCompletionBody | undefined
  /** Raw body text. */
  raw: string
}

/** A raw HTTP answer. `body` objects are sent as JSON, strings verbatim. */
export interface ScriptedResponse {
  /** HTTP status (200). */
  status?: number
  /** Response body; objects are JSON-encoded. */
  body?: unknown
  /** Extra response headers (e.g. `retry-after`). */
  headers?: Record<string, string>
  /** Never answer; the socket stays open until the client gives up or the server closes. */
  hang?: boolean
}

/** What a script returns: a string is the assistant text of a 200 completion; otherwise a raw answer. */
export type ScriptedReply = string | ScriptedResponse

/** Options of {@link startScriptedServer}. */
export interface ScriptedServerOptions {
  /** Decides the answer to each chat completion request. Throwing gives a 500 with the message. */
  reply: (body: ChatCompletionBody, request: CapturedRequest) => ScriptedReply | Promise<ScriptedReply>
  /** Delay before each chat completion answer, in ms (0). */
  latencyMs?: number
  /** Model ids listed by `GET /v1/models` (`['test-model']`). */
  models?: string[]
}

/** A running scripted server. */
export interface ScriptedServer {
  /** Base URL ending in `/v1`, ready for `baseURL`. */
  readonly url: string
  /** The bound port. */
  readonly port: number
  /** Every request received, in arrival order (clear with `requests.length = 0`). */
  readonly requests: CapturedRequest[]
  /** Chat completion requests currently being answered. */
  readonly inFlight: number
  /** Highest `inFlight` seen since start. */
  readonly maxInFlight: number
  /** Closes the server and drops open (hanging) connections. */
  close(): Promise<void>
}

/** Deterministic token count used in `usage`: whitespace-separated words. */
export function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length
}

/** An OpenAI chat.completion JSON body whose assistant message is `text`. */
export function chatCompletion(
  text: string | null,
  options: { model?: string; promptTokens?: number; completionTokens?: number } = {},
): Record<string, unknown> {
  const prompt = options.promptTokens ?? 0
  const completion = options.completionTokens ?? countTokens(text ?? '')
  return {
    id: 'chatcmpl-scripted',
    object: 'chat.completion',
    created: 0,
    model: options.model ?? 'test-model',
    choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  }
}

/** An HTTP error with an OpenAI-style `{error: {message}}` body; `retryAfter` sets `Retry-After`. */
export function httpError(status: number, message: string, options: { retryAfter?: string | number; headers?: Record<string, string> } = {}): ScriptedResponse {
  const headers: Record<string, string> = { ...options.headers }
  if (options.retryAfter !== undefined) headers['retry-after'] = String(options.retryAfter)
  return { status, headers, body: { error: { message, type: 'scripted_error', code: null, param: null } } }
}

/** A reply that never comes (tests client timeouts). */
export function hang(): ScriptedResponse {
  return { hang: true }
}

/** A 200 whose JSON body is cut off. */
export function malformedJson(): ScriptedResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"id": "chatcmpl-broken", "choices": [' }
}

/** A script answering the i-th chat request with `replies[i]`, repeating the last one afterwards. */
export function sequence(...replies: ScriptedReply[]): (body: ChatCompletionBody) => ScriptedReply {
  if (replies.length === 0) throw new Error('sequence() needs at least one reply')
  let i = 0
  return () => replies[Math.min(i++, replies.length - 1)] as ScriptedReply
}

/** Starts a scripted server on 127.0.0.1 with a free port. */
export async function startScriptedServer(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const requests: CapturedRequest[] = []
  let inFlight = 0
  let maxInFlight = 0
  const models = options.models ?? ['test-model']

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req)
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const captured: CapturedRequest = { index: requests.length, method: req.method ?? 'GET', path, headers: flatHeaders(req), body: parseJson(raw), raw }
    requests.push(captured)
    if (req.method === 'GET' && path === '/v1/models') {
      return send(res, { body: { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'scripted' })) } })
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return send(res, httpError(404, `scripted server: no route for ${req.method} ${path}`))
    }
    const body = captured.body
    if (!body || typeof body !== 'object') return send(res, httpError(400, 'scripted server: request body is not JSON'))
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    res.on('close', () => inFlight--)
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs))
    let reply: ScriptedReply
    try {
      reply = await options.reply(body, captured)
    } catch (error) {
      return send(res, httpError(500, `scripted server: reply threw: ${(error as Error).message}`))
    }
    if (typeof reply === 'string') {
      const promptTokens = body.messages.reduce((n, m) => n + countTokens(String(m.content ?? '')), 0)
      const completion = chatCompletion(reply, { model: body.model, promptTokens })
      return body.stream ? sendStream(res, reply, body) : send(res, { body: completion })
    }
    if (reply.hang) return
    send(res, reply)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, httpError(500, `scripted server crashed: ${String(error)}`))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    get inFlight() {
      return inFlight
    },
    get maxInFlight() {
      return maxInFlight
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function send(res: ServerResponse, reply: ScriptedResponse): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {})
  const headers = { 'content-type': 'application/json', ...reply.headers }
  res.writeHead(reply.status ?? 200, headers)
  res.end(text)
}

function sendStream(res: ServerResponse, text: string, body: ChatCompletionBody): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  const base = { id: 'chatcmpl-scripted', object: 'chat.completion.chunk', created: 0, model: body.model }
  const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`
  res.write(chunk({ role: 'assistant', content: '' }, null))
  for (const piece of text.match(/\S+\s*|\s+/g) ?? []) res.write(chunk({ content: piece }, null))
  res.write(chunk({}, 'stop'))
  res.end('data: [DONE]\n\n')
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function parseJson(raw: string): ChatCompletionBody | undefined {
  if (!raw) return undefined
  try {
    return JSON.parse(raw) as ChatCompletionBody
  } catch {
    return undefined
  }
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v
  return out
}
