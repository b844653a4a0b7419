import { afterEach, describe, expect, test, vi } from 'vitest'
import { LM } from '../../../src/core/lm/lm.js'
import type { RetryInfo } from '../../../src/core/lm/options.js'
import { SimbaError, isSimbaError } from '../../../src/errors.js'
import type { LMError } from '../../../src/errors.js'
import { chatCompletion, hang, httpError, malformedJson, sequence, startScriptedServer } from '../../helpers/openai-server.js'
import type { ScriptedServer, ScriptedServerOptions } from '../../helpers/openai-server.js'

let server: ScriptedServer | undefined
afterEach(async () => {
  vi.unstubAllEnvs()
  await server?.close()
  server = undefined
})

async function serve(reply: ScriptedServerOptions['reply']): Promise<ScriptedServer> {
  server = await startScriptedServer({ reply })
  return server
}

const ask = { messages: [{ role: 'user' as const, content: 'two words' }] }
const fast = { retryBaseDelayMs: 1, maxRetryDelayMs: 50 }

describe('LM.call through the openai SDK', () => {
  test('plain call: body, text, usage, not cached', async () => {
    vi.stubEnv('OPENAI_API_KEY', '')
    const s = await serve(() => 'hello back')
    const lm = new LM({ model: 'm1', baseURL: s.url, maxTokens: 64, extraBody: { seed: 7 } })
    const res = await lm.call({ ...ask, responseFormat: { type: 'json_object' } })
    expect(res).toEqual({ text: 'hello back', usage: { promptTokens: 2, completionTokens: 2, totalTokens: 4 }, cached: false, model: 'm1' })
    expect(s.requests[0]?.body).toEqual({
      model: 'm1',
      messages: ask.messages,
      temperature: 0,
      max_tokens: 64,
      response_format: { type: 'json_object' },
      seed: 7,
    })
    expect(s.requests[0]?.headers['authorization']).toBe('Bearer no-key')
  })

  test('429 then 200 is retried and Retry-After is honoured', async () => {
    const s = await serve(sequence(httpError(429, 'slow down', { retryAfter: '0.02' }), 'ok'))
    const retries: RetryInfo[] = []
    const lm = new LM({ model: 'm', baseURL: s.url, retryBaseDelayMs: 5000, onRetry: (i) => retries.push(i) })
    expect((await lm.call(ask)).text).toBe('ok')
    expect(s.requests).toHaveLength(2)
    expect(retries.map((r) => [r.attempt, r.delayMs, (r.error as LMError).status])).toEqual([[1, 20, 429]])
  })

  test('500 then 200 is retried with backoff', async () => {
    const s = await serve(sequence(httpError(500, 'boom'), httpError(503, 'busy'), 'fine'))
    const delays: number[] = []
    const lm = new LM({ model: 'm', baseURL: s.url, ...fast, onRetry: (i) => delays.push(i.delayMs) })
    expect((await lm.call(ask)).text).toBe('fine')
    expect(s.requests).toHaveLength(3)
    expect(delays).toHaveLength(2)
  })

  test('400 is final: clear SIMBA_LM_HTTP with status, model and provider message', async () => {
    const s = await serve(() => httpError(400, "Unsupported value: 'temperature'"))
    const lm = new LM({ model: 'gpt-x', baseURL: s.url, ...fast })
    const err = (await lm.call(ask).catch((e: unknown) => e)) as LMError
    expect(err.code).toBe('SIMBA_LM_HTTP')
    expect(err.status).toBe(400)
    expect(err.model).toBe('gpt-x')
    expect(err.message).toContain('HTTP 400')
    expect(err.message).toContain('"gpt-x"')
    expect(err.message).toContain("Unsupported value: 'temperature'")
    expect(s.requests).toHaveLength(1)
  })

  test.each([401, 404])('%i is not retried', async (status) => {
    const s = await serve(() => httpError(status, 'nope'))
    const err = (await new LM({ model: 'm', baseURL: s.url, ...fast }).call(ask).catch((e: unknown) => e)) as LMError
    expect([err.code, err.status]).toEqual(['SIMBA_LM_HTTP', status])
    expect(s.requests).toHaveLength(1)
  })

  test('a 418 text body from the fixture replayer surfaces verbatim and is not retried', async () => {
    const msg = '[simba] no recorded LM response for POST /v1/chat/completions (key 83f2) in a.test.ts.lm.json; run `vitest` locally'
    const s = await serve(() => ({ status: 418, body: msg, headers: { 'content-type': 'text/plain' } }))
    const err = (await new LM({ model: 'm', baseURL: s.url, ...fast }).call(ask).catch((e: unknown) => e)) as LMError
    expect(err.status).toBe(418)
    expect(err.message).toContain(msg)
    expect(s.requests).toHaveLength(1)
  })

  test('timeouts become SIMBA_LM_TIMEOUT after the retries', async () => {
    const s = await serve(sequence('warm', hang()))
    // The parent's timeout outlasts the suite's hang guard: a copy reusing the parent's client would
    // fail this test by hanging, whatever the machine's speed.
    const parent = new LM({ model: 'm', baseURL: s.url, timeoutMs: 3_600_000, ...fast })
    expect((await parent.call({ messages: [{ role: 'user', content: 'first' }] })).text).toBe('warm')
    // Half a second: short, but long enough for a request to reach the server on a loaded machine.
    const lm = parent.copy({ timeoutMs: 500, maxRetries: 1 }) // must not reuse the parent's client
    const err = (await lm.call(ask).catch((e: unknown) => e)) as LMError
    expect(err.code).toBe('SIMBA_LM_TIMEOUT')
    expect(err.message).toContain('timeoutMs=500')
    expect(err.message).toContain('gave up after 2 attempts')
    expect(s.requests).toHaveLength(3)
  })

  test('connection refused becomes SIMBA_LM_CONNECTION after the retries', async () => {
    const s = await serve(() => 'x')
    const url = s.url
    await s.close()
    server = undefined
    const err = (await new LM({ model: 'm', baseURL: url, maxRetries: 2, ...fast }).call(ask).catch((e: unknown) => e)) as LMError
    expect(err.code).toBe('SIMBA_LM_CONNECTION')
    expect(err.message).toContain('gave up after 3 attempts')
  })

  test('empty content gives a clear, non-retried error; a 200 with malformed JSON is retried like a 5xx', async () => {
    const s = await serve(sequence({ body: chatCompletion(null) }, { body: chatCompletion('') }, malformedJson(), 'after retry'))
    const lm = new LM({ model: 'm', baseURL: s.url, ...fast })
    for (const re of [/returned no text/, /returned no text/]) {
      const err = await lm.call(ask).catch((e: unknown) => e)
      expect(isSimbaError(err, 'SIMBA_LM_HTTP')).toBe(true)
      expect((err as Error).message).toMatch(re)
    }
    expect(s.requests).toHaveLength(2)
    expect((await lm.call(ask)).text).toBe('after retry')
    expect(s.requests).toHaveLength(4)
    const once = await serve(sequence(malformedJson()))
    const err = await new LM({ model: 'm', baseURL: once.url, ...fast, maxRetries: 0 }).call(ask).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/not valid JSON/)
  })

  test('failures are not cached: the next identical call goes out again', async () => {
    const s = await serve(sequence(httpError(400, 'bad'), 'second time'))
    const lm = new LM({ model: 'm', baseURL: s.url })
    await expect(lm.call(ask)).rejects.toThrow(/bad/)
    expect((await lm.call(ask)).text).toBe('second time')
    expect((await lm.call(ask)).cached).toBe(true)
    expect(s.requests).toHaveLength(2)
  })

  test('a SimbaError thrown by a custom fetch (e.g. a fixture miss) passes through unchanged, not retried', async () => {
    let calls = 0
    const fetch = (): Promise<Response> => {
      calls++
      throw new SimbaError('SIMBA_FIXTURE_MISSING', 'no recorded response for key abc')
    }
    const err = await new LM({ model: 'm', baseURL: 'http://127.0.0.1:9/v1', fetch, ...fast }).call(ask).catch((e: unknown) => e)
    expect(isSimbaError(err, 'SIMBA_FIXTURE_MISSING')).toBe(true)
    expect((err as Error).message).toBe('[vitest-simba] no recorded response for key abc')
    expect(calls).toBe(1)
  })
})
