import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SimbaError } from '../../errors.js'
import { canonicalJson } from '../../internal/json/canonical.js'
import { sha256 } from '../../internal/hash/sha256.js'
import { resolveWorlds } from '../world/load.js'
import type { World, WorldInput } from '../world/schema.js'
import { createFaultInjector, type FaultPlan, type FaultRule } from './faults.js'
import { completionBody, CREATED, errorBody, GARBAGE_TEXT, streamChunks, usageOf } from './openai-shapes.js'
import { messageText, type RawMessage } from './prompt.js'
import { unit, type SampleContext } from './seed.js'
import { simulate, type RequestKind } from './simulate.js'

/** Simulated response delay: fixed, seeded uniform in a range, or per request kind (`ruleMs` for the prompt model's rule-writing, consolidation and other meta-requests). */
export type LatencyOption = { fixedMs: number } | { minMs: number; maxMs: number; seed?: number | string } | { taskMs: number; ruleMs: number }

/** Options of `startSimulator`. */
export interface SimulatorOptions {
  /** Task worlds: objects or JSON file paths (validated; bad input throws a SimbaError naming the file). */
  worlds: ReadonlyArray<World | WorldInput | string>
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number
  /** Host to bind; default 127.0.0.1 (never public). */
  host?: string
  /** Artificial latency; none by default. */
  latency?: LatencyOption
  /** Injected failures (for tests and benchmarks). */
  faults?: FaultPlan
  /** Salt of every seeded decision; another value simulates "another model". Default 0. */
  defaultSeed?: number | string
}

/** Request counters of a running simulator. */
export interface SimulatorStats {
  /** Chat completion requests received. */
  requests: number
  /** Requests by classification (`task`, `rule-writing`, `other-module`, `generic`, `invalid`). */
  byKind: Record<string, number>
  /** Faults injected, by kind. */
  faults: Record<string, number>
}

/** A running simulated provider. */
export interface Simulator {
  /** Base URL for the openai SDK, e.g. `http://127.0.0.1:PORT/v1`. */
  url: string
  /** Port it listens on. */
  port: number
  /** Counters since start. */
  stats(): SimulatorStats
  /** Stops listening, drops open connections (including hung ones) and cancels timers. */
  close(): Promise<void>
}

const MODELS = ['simba-sim-1', 'gpt-4o-mini']

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')))
    req.on('error', reject)
  })
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

/** Starts the simulated OpenAI-compatible provider on a real HTTP port (127.0.0.1, port 0 by default). */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const worlds = resolveWorlds(options.worlds)
  if (worlds.length === 0) throw new SimbaError('SIMBA_CONFIG', 'startSimulator needs at least one task world (options.worlds is empty).')
  const host = options.host ?? '127.0.0.1'
  const salt = String(options.defaultSeed ?? 0)
  const inject = createFaultInjector(options.faults)
  const stats: SimulatorStats = { requests: 0, byKind: {}, faults: {} }
  const timers = new Set<NodeJS.Timeout>()
  let closed = false

  const wait = (ms: number): Promise<void> =>
    ms <= 0 ? Promise.resolve() : new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t)
        resolve()
      }, ms)
      timers.add(t)
    })

  const latencyFor = (kind: RequestKind, key: string): number => {
    const l = options.latency
    if (!l) return 0
    if ('fixedMs' in l) return l.fixedMs
    if ('taskMs' in l) return kind === 'rule-writing' || kind === 'consolidation' || kind === 'meta' ? l.ruleMs : l.taskMs
    return l.minMs + Math.floor(unit(String(l.seed ?? 0), 'latency', key) * (l.maxMs - l.minMs + 1))
  }

  const handleChat = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    stats.requests++
    let body: Record<string, unknown>
    try {
      const parsed: unknown = JSON.parse(await readBody(req))
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body is not a JSON object')
      body = parsed as Record<string, unknown>
    } catch (error) {
      stats.byKind.invalid = (stats.byKind.invalid ?? 0) + 1
      return sendJson(res, 400, errorBody(`request body is not valid JSON: ${(error as Error).message}`, 'invalid_request_error', 'invalid_json'))
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      stats.byKind.invalid = (stats.byKind.invalid ?? 0) + 1
      return sendJson(res, 400, errorBody("'messages' must be a non-empty array", 'invalid_request_error', 'invalid_messages'))
    }
    const header = req.headers['x-simba-rollout-id']
    const rollout = typeof header === 'string' ? header : body.seed !== undefined && body.seed !== null ? String(body.seed) : ''
    const temperature = typeof body.temperature === 'number' ? body.temperature : 1
    const ctx: SampleContext = { temperature, rollout, salt }
    const messages = body.messages as RawMessage[]
    const sim = simulate(worlds, messages, body.response_format, ctx)
    stats.byKind[sim.kind] = (stats.byKind[sim.kind] ?? 0) + 1
    const model = typeof body.model === 'string' ? body.model : MODELS[0] as string
    const stream = body.stream === true
    const requestKey = `${canonicalJson(body)}|${rollout}`
    const id = `chatcmpl-sim-${sha256(requestKey).slice(0, 24)}`
    const fault = inject({ body, rollout, kind: sim.kind, stream }, requestKey)
    if (fault) stats.faults[fault.kind] = (stats.faults[fault.kind] ?? 0) + 1
    await wait(latencyFor(sim.kind, requestKey))
    if (closed) return
    const promptChars = messages.reduce((n, m) => n + messageText(m.content).length, 0)
    await respond(res, { fault, id, model, stream, content: sim.content, promptChars, includeUsage: (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true })
  }

  const respond = async (
    res: ServerResponse,
    a: { fault: FaultRule | undefined; id: string; model: string; stream: boolean; content: string; promptChars: number; includeUsage: boolean },
  ): Promise<void> => {
    const f = a.fault
    if (f?.kind === '429') {
      const ms = f.retryAfterMs ?? 1000
      return sendJson(res, 429, errorBody('Rate limit reached (simulated). Retry after the given delay.', 'rate_limit_error', 'rate_limit_exceeded'), {
        'retry-after': String(Math.max(1, Math.ceil(ms / 1000))),
        'retry-after-ms': String(ms),
      })
    }
    if (f?.kind === '500') return sendJson(res, 500, errorBody('The server had an error while processing your request (simulated).', 'server_error', null))
    if (f?.kind === 'hang') {
      if (f.hangMs === undefined) return // never answer; close() drops the connection
      await wait(f.hangMs)
      if (closed) return
    }
    const content = f?.kind === 'garbage' ? GARBAGE_TEXT : a.content
    const usage = usageOf(a.promptChars, content)
    if (!a.stream) {
      const text = JSON.stringify(completionBody(a.id, a.model, content, usage))
      if (f?.kind === 'malformed-json') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return void res.end(text.slice(0, Math.floor(text.length / 2)))
      }
      if (f?.kind === 'truncated-sse') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
        res.write(text.slice(0, Math.floor(text.length / 2)))
        return void res.destroy()
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      return void res.end(text)
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
    const lines = streamChunks(a.id, a.model, content, a.includeUsage ? usage : undefined).map((c) => `data: ${JSON.stringify(c)}\n\n`)
    if (f?.kind === 'malformed-json') {
      res.write(lines[0] ?? '')
      res.write('data: {"id": "broken", "choices": [\n\n')
      return void res.end('data: [DONE]\n\n')
    }
    if (f?.kind === 'truncated-sse') {
      const half = Math.max(1, Math.floor(lines.length / 2))
      for (const l of lines.slice(0, half)) res.write(l)
      if (f.truncate === 'mid-chunk') res.write((lines[half] ?? lines[0] ?? '').slice(0, 30))
      return void res.end()
    }
    for (const l of lines) res.write(l)
    res.end('data: [DONE]\n\n')
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      handleChat(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, errorBody(`simulator failure: ${(error as Error).message}`, 'server_error', 'simulator_bug'))
        else res.destroy()
      })
      return
    }
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      return sendJson(res, 200, { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'vitest-simba' })) })
    }
    req.resume()
    sendJson(res, 404, errorBody(`Unknown route ${req.method ?? ''} ${path ?? ''}; the simulator serves POST /v1/chat/completions and GET /v1/models.`, 'invalid_request_error', 'not_found'))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${host}:${port}/v1`,
    port,
    stats: () => ({ requests: stats.requests, byKind: { ...stats.byKind }, faults: { ...stats.faults } }),
    close: () =>
      new Promise<void>((resolve) => {
        closed = true
        for (const t of timers) clearTimeout(t)
        timers.clear()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
