import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { INVALID_RESPONSE_STATUS, invalidEntryReason, invalidResponse, recordExchange, responseFromEntry, responseFromOutcome } from '../../src/recording/record.js'
import { eventData, invalidStreamReason, isEventStream, isJsonType, splitSseEvents, sseStream } from '../../src/recording/sse.js'
import type { FixtureEntry } from '../../src/recording/types.js'

type ErrorBody = { error: { message: string; code: string } }
const done = 'data: [DONE]'
const chunk = (n: number): string => `data: {"id":"c${n}","model":"gpt-x","choices":[]}`

describe('content types', () => {
  test('event streams are recognised in any case, with parameters', () => {
    expect(isEventStream('text/event-stream')).toBe(true)
    expect(isEventStream('Text/Event-Stream; charset=utf-8')).toBe(true)
    expect(isEventStream('application/json')).toBe(false)
    expect(isEventStream(null)).toBe(false)
    expect(isEventStream(undefined)).toBe(false)
  })

  test('JSON types: application/json and +json suffixes, not json-like names', () => {
    for (const t of ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/problem+json', 'json']) expect(isJsonType(t), t).toBe(true)
    for (const t of ['application/jsonl', 'application/x-ndjson', 'text/plain', 'application/x-json-stream', '', null, undefined]) expect(isJsonType(t), String(t)).toBe(false)
  })
})

describe('event streams', () => {
  test('splitSseEvents: blank-line separated, CRLF and CR normalised, empty blocks dropped', () => {
    expect(splitSseEvents('data: 1\n\ndata: 2\n\n')).toEqual(['data: 1', 'data: 2'])
    expect(splitSseEvents('data: 1\r\n\r\ndata: 2\r\n\r\n')).toEqual(['data: 1', 'data: 2'])
    expect(splitSseEvents('data: 1\r\rdata: 2')).toEqual(['data: 1', 'data: 2'])
    expect(splitSseEvents('event: a\ndata: 1\n\n\n\n  \n\ndata: 2')).toEqual(['event: a\ndata: 1', 'data: 2'])
    expect(splitSseEvents('data: 1\n\n\ndata: 2')).toEqual(['data: 1', 'data: 2'])
    expect(splitSseEvents('')).toEqual([])
  })

  test('sseStream emits one event per chunk, each followed by a blank line, then ends', async () => {
    const reader = sseStream(['data: 1', 'data: 2']).getReader()
    const parts: string[] = []
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(new TextDecoder().decode(r.value))
    expect(parts).toEqual(['data: 1\n\n', 'data: 2\n\n'])
    expect(await sseStream([]).getReader().read()).toEqual({ done: true, value: undefined })
  })

  test('eventData joins data lines, drops one leading space, ignores other fields', () => {
    expect(eventData('event: x\ndata: {"a":1}')).toBe('{"a":1}')
    expect(eventData('data: a\ndata: b')).toBe('a\nb')
    expect(eventData('data:x')).toBe('x')
    expect(eventData('data:  x')).toBe(' x')
    expect(eventData('data:x y')).toBe('x y')
    expect(eventData(': comment\nevent: x')).toBeUndefined()
    expect(eventData('id: 1\n data: not a field')).toBeUndefined()
  })

  test('a complete chat stream (JSON events, then [DONE]) is valid; events without data are ignored', () => {
    expect(invalidStreamReason([chunk(1), chunk(2), done])).toBeUndefined()
    expect(invalidStreamReason([': keep-alive', chunk(1), 'data:  [DONE]  ', ': trailing comment'])).toBeUndefined()
  })

  test('an empty stream, a cut stream and data after [DONE] are invalid, naming the event', () => {
    expect(invalidStreamReason([])).toBe('the event stream is empty')
    expect(invalidStreamReason([chunk(1), chunk(2)])).toBe('the stream ended without its terminator ([DONE]): it was cut short')
    expect(invalidStreamReason([': only a comment'])).toBe('the stream ended without its terminator ([DONE]): it was cut short')
    expect(invalidStreamReason([chunk(1), done, chunk(3)])).toBe('event #3 follows [DONE]')
    expect(invalidStreamReason([done, done])).toBeUndefined()
    expect(invalidStreamReason([done])).toBeUndefined()
    expect(invalidStreamReason([done, chunk(2)])).toBe('event #2 follows [DONE]')
  })

  test('an event whose data is not JSON is invalid, quoting its first 40 characters', () => {
    const bad = `{"id": ${'x'.repeat(60)}`
    expect(invalidStreamReason([chunk(1), `data: ${bad}`, done])).toBe(`event #2 is not valid JSON (${JSON.stringify(bad.slice(0, 40))}…)`)
    expect(invalidStreamReason(['data: {oops'])).toBe('event #1 is not valid JSON ("{oops"…)')
  })

  test('a Responses API stream ends with a terminal event, named by its event line or its data type', () => {
    const ev = (name: string | undefined, type: unknown): string => `${name ? `event: ${name}\n` : ''}data: ${JSON.stringify({ type })}`
    for (const t of ['response.completed', 'response.incomplete', 'response.failed']) {
      expect(invalidStreamReason([ev('response.created', 'response.created'), ev(t, t)]), t).toBeUndefined()
      expect(invalidStreamReason([ev(undefined, 'response.created'), ev(undefined, t)]), t).toBeUndefined()
      expect(invalidStreamReason([ev(undefined, 'response.created'), `event:   ${t}  `]), t).toBeUndefined()
    }
    const cut = 'the stream ended without its terminator ([DONE]): it was cut short'
    expect(invalidStreamReason([ev('response.created', 'response.created'), ev('response.output_text.delta', 'response.output_text.delta')])).toBe(cut)
    expect(invalidStreamReason([ev(undefined, 'response.completed.extra')])).toBe(cut)
    expect(invalidStreamReason([ev(undefined, 'xresponse.completed')])).toBe(cut)
    expect(invalidStreamReason([ev(undefined, 7)])).toBe(cut)
    expect(invalidStreamReason([ev(undefined, ['response.completed'])])).toBe(cut)
    // The event line may come after other fields of the event.
    expect(invalidStreamReason([ev('response.created', 'response.created'), 'id: 7\nevent: response.completed'])).toBeUndefined()
    expect(invalidStreamReason(['data: null'])).toBe(cut)
    // Only the last event counts: a terminal event earlier in the stream does not end it.
    expect(invalidStreamReason([ev('response.completed', 'response.completed'), ev('response.created', 'response.created')])).toBe(cut)
  })
})

describe('stored entries and replayed responses', () => {
  const entry = (response: FixtureEntry['response']): FixtureEntry => ({
    request: { method: 'POST', path: '/chat/completions', body: { model: 'gpt-x' } },
    response,
    provenance: { model: 'gpt-x', recordedAt: '2026-01-01T00:00:00.000Z', library: 'vitest-simba@0.0.0' },
  })

  test('invalidEntryReason: streams are checked, a JSON-typed raw text is refused, other entries are sound', () => {
    expect(invalidEntryReason(entry({ status: 200, headers: {}, chunks: [chunk(1), done] }))).toBeUndefined()
    expect(invalidEntryReason(entry({ status: 200, headers: {}, chunks: [chunk(1)] }))).toBe('the stream ended without its terminator ([DONE]): it was cut short')
    expect(invalidEntryReason(entry({ status: 200, headers: { 'content-type': 'application/json' }, text: '{"a":' }))).toBe('its JSON body does not parse')
    expect(invalidEntryReason(entry({ status: 200, headers: { 'content-type': 'text/plain' }, text: 'hello' }))).toBeUndefined()
    expect(invalidEntryReason(entry({ status: 200, headers: { 'content-type': 'application/json' }, body: { choices: [{ text: 'a' }] } }))).toBeUndefined()
    expect(invalidEntryReason(entry({ status: 204, headers: {} }))).toBeUndefined()
  })

  test('responseFromEntry replays a stream, a JSON body, a text body or an empty body with status and headers', async () => {
    const s = responseFromEntry(entry({ status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: ['data: 1', done] }))
    expect(s.status).toBe(200)
    expect(s.headers.get('content-type')).toBe('text/event-stream')
    expect(await s.text()).toBe(`data: 1\n\n${done}\n\n`)
    const j = responseFromEntry(entry({ status: 201, headers: { 'x-request-id': 'r1' }, body: { a: [1, 'b'] } }))
    expect([j.status, j.headers.get('x-request-id'), await j.text()]).toEqual([201, 'r1', '{"a":[1,"b"]}'])
    expect(await responseFromEntry(entry({ status: 200, headers: {}, body: null })).text()).toBe('null')
    expect(await responseFromEntry(entry({ status: 200, headers: {}, text: 'plain' })).text()).toBe('plain')
    expect(await responseFromEntry(entry({ status: 200, headers: {} })).text()).toBe('')
  })

  test('an invalid reply is an OpenAI-shaped error: a 5xx (retried) by default, a SIMBA_ code below 500', async () => {
    expect(INVALID_RESPONSE_STATUS).toBe(502)
    const r = invalidResponse('broken')
    expect(r.status).toBe(502)
    expect(r.headers.get('content-type')).toBe('application/json')
    expect(await r.json()).toEqual({ error: { message: 'broken', type: 'invalid_response', code: 'invalid_response', param: null } })
    expect(((await invalidResponse('x', 500).json()) as ErrorBody).error.code).toBe('invalid_response')
    expect(((await invalidResponse('x', 499).json()) as ErrorBody).error.code).toBe('SIMBA_FIXTURE_INVALID')
  })

  test('responseFromOutcome: an entry replays, an invalid outcome is a 502 naming the reason, an unrecorded reply passes through', async () => {
    const ok = responseFromOutcome({ kind: 'entry', entry: entry({ status: 200, headers: {}, text: 'hi' }) })
    expect(await ok.text()).toBe('hi')
    const bad = responseFromOutcome({ kind: 'invalid', reason: 'event #2 follows [DONE]' })
    expect(bad.status).toBe(502)
    expect(((await bad.json()) as ErrorBody).error.message).toBe('[vitest-simba] the LM host sent an incomplete or malformed response (event #2 follows [DONE]); it was not recorded.')
    const passed = responseFromOutcome({ kind: 'unrecorded', status: 429, headers: [['retry-after', '1']], text: 'slow down' })
    expect([passed.status, passed.headers.get('retry-after'), await passed.text()]).toEqual([429, '1', 'slow down'])
  })
})

describe('recordExchange against a real local host', () => {
  type Reply = { status: number; headers: Record<string, string>; body: string }
  let reply: Reply = { status: 200, headers: {}, body: '' }
  let server: Server
  let base = ''
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(reply.status, reply.headers)
      // Without a content-length the body goes out chunked (transfer-encoding: chunked).
      if (reply.headers['content-length'] === undefined && reply.body.length > 1) res.write(reply.body.slice(0, 1))
      res.end(reply.headers['content-length'] === undefined && reply.body.length > 1 ? reply.body.slice(1) : reply.body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
  })
  const args = (over: Partial<Parameters<typeof recordExchange>[1]> = {}): Parameters<typeof recordExchange>[1] => ({
    request: { method: 'POST', path: '/chat/completions', body: { model: 'asked-model' } },
    rolloutId: undefined,
    redact: [],
    library: 'vitest-simba@0.0.0',
    ...over,
  })
  const record = async (r: Reply, over: Partial<Parameters<typeof recordExchange>[1]> = {}) => {
    reply = r
    return recordExchange(new Request(`${base}/chat/completions`, { method: 'POST', body: '{}' }), args(over))
  }

  test('a JSON reply becomes an entry: parsed, redacted, only allowlisted headers, the answering model in provenance', async () => {
    const out = await record(
      { status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'req-1', 'set-cookie': 'a=b', 'openai-organization': 'org' }, body: '{"model":"answered-model","choices":[{"text":"call 555-1234"}]}' },
      { redact: [{ pattern: /\d{3}-\d{4}/, replacement: '<phone>' }], rolloutId: 3 },
    )
    expect(out.kind).toBe('entry')
    if (out.kind !== 'entry') return
    expect(out.entry.response).toEqual({ status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' }, body: { model: 'answered-model', choices: [{ text: 'call <phone>' }] } })
    expect(out.entry.provenance.model).toBe('answered-model')
    expect(out.entry.provenance.library).toBe('vitest-simba@0.0.0')
    expect(out.entry.provenance.recordedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(out.entry.rolloutId).toBe(3)
    expect(out.entry.request).toEqual(args().request)
  })

  test('a malformed JSON body under a JSON type is invalid (never recorded), naming the status and size', async () => {
    const out = await record({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"choices": [' })
    expect(out).toEqual({ kind: 'invalid', reason: "the 200 response's JSON body does not parse (13 bytes)" })
  })

  test('a complete stream is recorded event by event (redacted, model taken from the events); a cut one is invalid', async () => {
    const stream = `${chunk(1)}\n\ndata: {"model":"streamed-model","t":"555-1234"}\n\n${done}\n\n`
    const out = await record({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: stream }, { redact: [{ pattern: /\d{3}-\d{4}/g, replacement: '#' }] })
    expect(out.kind).toBe('entry')
    if (out.kind !== 'entry') return
    expect(out.entry.response.chunks).toEqual([chunk(1), 'data: {"model":"streamed-model","t":"#"}', done])
    expect(out.entry.response.body).toBeUndefined()
    expect(out.entry.provenance.model).toBe('gpt-x')
    expect(out.entry).not.toHaveProperty('rolloutId')
    const later = await record({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: `data: {"id":1}\n\ndata: {"model" : "spaced-model"}\n\n${done}\n\n` })
    expect(later.kind === 'entry' && later.entry.provenance.model).toBe('spaced-model')
    expect(await record({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: `${chunk(1)}\n\n` })).toEqual({
      kind: 'invalid',
      reason: 'the stream ended without its terminator ([DONE]): it was cut short',
    })
  })

  test('a text reply is kept as text (redacted); an empty one has no body; the model falls back to the request, then "unknown"', async () => {
    const text = await record({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'id 555-1234' }, { redact: [{ pattern: /\d{3}-\d{4}/, replacement: 'X' }] })
    expect(text.kind === 'entry' && text.entry.response).toEqual({ status: 200, headers: { 'content-type': 'text/plain' }, text: 'id X' })
    expect(text.kind === 'entry' && text.entry.provenance.model).toBe('asked-model')
    const empty = await record({ status: 204, headers: {}, body: '' }, { request: { method: 'POST', path: '/x', body: { no: 'model' } } })
    expect(empty.kind === 'entry' && empty.entry.response).toEqual({ status: 204, headers: {} })
    expect(empty.kind === 'entry' && empty.entry.provenance.model).toBe('unknown')
    const numberModel = await record({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"model":5}' }, { request: { method: 'POST', path: '/x', body: { model: 7 } } })
    expect(numberModel.kind === 'entry' && numberModel.entry.provenance.model).toBe('unknown')
  })

  test('a non-2xx reply is passed through unrecorded, without hop-by-hop headers', async () => {
    for (const status of [300, 429, 500]) {
      const sized: Record<string, string> = status === 429 ? { 'content-length': '12', 'content-encoding': 'identity' } : {}
      const out = await record({ status, headers: { 'content-type': 'application/json', 'x-extra': 'kept', connection: 'close', ...sized }, body: '{"error":{}}' })
      expect(out.kind, String(status)).toBe('unrecorded')
      if (out.kind !== 'unrecorded') return
      expect(out.status).toBe(status)
      expect(out.text).toBe('{"error":{}}')
      const names = out.headers.map(([k]) => k.toLowerCase())
      expect(names).toContain('x-extra')
      for (const hop of ['content-length', 'connection', 'transfer-encoding', 'content-encoding']) expect(names).not.toContain(hop)
    }
    const plainJson = await record({ status: 200, headers: { 'content-type': 'text/plain' }, body: '{"a":1}' })
    expect(plainJson.kind === 'entry' && plainJson.entry.response).toEqual({ status: 200, headers: { 'content-type': 'text/plain' }, text: '{"a":1}' })
    const ok = await record({ status: 299, headers: {}, body: 'x' })
    expect(ok.kind).toBe('entry')
  })

  test('a status-0 reply from a custom sender (a network-error response) is passed on, never recorded', async () => {
    const out = await recordExchange(new Request(`${base}/chat/completions`, { method: 'POST', body: '{}' }), args({ send: async () => Response.error() }))
    expect(out).toEqual({ kind: 'unrecorded', status: 0, headers: [], text: '' })
  })
})
