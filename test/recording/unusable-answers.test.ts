import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { LM } from '../../src/core/lm/lm.js'
import { isSimbaError } from '../../src/errors.js'
import { fixtureKey } from '../../src/recording/key.js'
import type { FixtureRecorder } from '../../src/recording/recorder.js'
import { unusableBody, unusableStream } from '../../src/recording/usable.js'
import { chatCompletion, sequence, startScriptedServer, type ChatCompletionBody, type ScriptedReply, type ScriptedServer } from '../helpers/openai-server.js'
import { API_KEY, ask, client, startRecorder, tempDir, text } from './support.js'

// A 2xx that is not a usable answer is never recorded: an error object, `{}` or a completion
// without choices is retried like a 5xx (and never replayed as a failure forever); an answer cut
// off by the token limit (finish_reason "length") is a truncation error naming maxTokens.

let recorder: FixtureRecorder | undefined
let server: ScriptedServer | undefined
let cleanup: (() => void) | undefined

afterEach(async () => {
  recorder?.stop()
  await server?.close()
  cleanup?.()
  recorder = server = cleanup = undefined
})

async function serve(reply: (body: ChatCompletionBody) => ScriptedReply): Promise<ScriptedServer> {
  server = await startScriptedServer({ reply })
  return server
}

function fixtureFile(): string {
  const t = tempDir()
  cleanup = t.cleanup
  return join(t.dir, 'fixtures', 'a.test.ts.lm.json')
}

const json = (body: unknown): ScriptedReply => ({ status: 200, headers: { 'content-type': 'application/json' }, body })
const errorIn200 = json({ error: { message: 'The server is overloaded', type: 'server_error', code: null, param: null } })
const truncated = (content: string): ScriptedReply => {
  const c = chatCompletion(content) as { choices: Array<Record<string, unknown>> }
  c.choices[0]!['finish_reason'] = 'length'
  return json(c)
}
/** The same cut-off answer as an event stream. */
const truncatedStream = (content: string): ScriptedReply => {
  const event = (delta: Record<string, unknown>, finish: string | null): string =>
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'test-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
  return { status: 200, headers: { 'content-type': 'text/event-stream' }, body: `${event({ role: 'assistant', content }, null)}${event({}, 'length')}data: [DONE]\n\n` }
}
const fast = { retryBaseDelayMs: 1, maxRetryDelayMs: 20 }
const lmAt = (url: string, extra: Partial<ConstructorParameters<typeof LM>[0]> = {}): LM =>
  new LM({ model: 'test-model', baseURL: url, apiKey: API_KEY, cache: false, maxRetries: 3, ...fast, ...extra })
const question = { messages: [{ role: 'user' as const, content: 'hello' }] }

describe('a 200 whose body is an error or empty', () => {
  test('is retried like a 5xx and never recorded: the good answer after it is recorded and replayed under CI', async () => {
    const s = await serve(sequence(errorIn200, json({}), json({ id: 'x', object: 'chat.completion', choices: [] }), 'the real answer'))
    const file = fixtureFile()
    recorder = startRecorder({ mode: 'record-missing', hosts: [s.url] })
    await recorder.useFile(file, 'test/a.test.ts')
    expect((await lmAt(s.url).call(question)).text).toBe('the real answer')
    expect(s.requests).toHaveLength(4)
    const stats = await recorder.flush()
    recorder.stop()
    expect(stats?.recorded).toBe(1)
    const stored = text(file)
    expect(stored).toContain('the real answer')
    expect(stored).not.toContain('overloaded')

    recorder = startRecorder({ mode: 'replay', ci: true, hosts: [s.url] })
    await recorder.useFile(file, 'test/a.test.ts')
    expect((await lmAt(s.url).call(question)).text).toBe('the real answer')
    expect(s.requests).toHaveLength(4)
  })

  test("the user's own openai client retries it too, and only the good answer is recorded", async () => {
    const s = await serve(sequence(errorIn200, json({}), 'recovered'))
    const file = fixtureFile()
    recorder = startRecorder({ mode: 'record-missing', hosts: [s.url] })
    await recorder.useFile(file, 'test/a.test.ts')
    const reply = await client(s.url, { maxRetries: 2 }).chat.completions.create(ask('hello'))
    expect(reply.choices[0]?.message.content).toBe('recovered')
    expect(s.requests).toHaveLength(3)
    expect((await recorder.flush())?.recorded).toBe(1)
    expect(text(file)).not.toContain('overloaded')
  })

  test('when it never recovers the call fails naming the error, and nothing is written', async () => {
    const s = await serve(() => errorIn200)
    const file = fixtureFile()
    recorder = startRecorder({ mode: 'record-missing', hosts: [s.url] })
    await recorder.useFile(file, 'test/a.test.ts')
    const error = await lmAt(s.url, { maxRetries: 1 }).call(question).catch((e: unknown) => e)
    expect(isSimbaError(error, 'SIMBA_LM_HTTP')).toBe(true)
    expect((error as Error).message).toMatch(/not a usable answer: it carries an error object \(The server is overloaded\).*gave up after 2 attempts/)
    expect(s.requests).toHaveLength(2)
    expect((await recorder.flush())?.recorded).toBe(0)
    expect(existsSync(file)).toBe(false)
  })

  test('without the recorder, the LM retries an error object or a body without choices', async () => {
    const s = await serve(sequence(errorIn200, json({}), 'fine'))
    expect((await lmAt(s.url).call(question)).text).toBe('fine')
    expect(s.requests).toHaveLength(3)
  })

  test('an entry holding one (recorded by an older version) is not replayed: a 422 says to re-record', async () => {
    const file = fixtureFile()
    const request = { method: 'POST', path: '/chat/completions', body: { messages: question.messages, model: 'test-model', temperature: 0 } }
    const key = fixtureKey(request, undefined)
    const entry = { request, response: { status: 200, headers: { 'content-type': 'application/json' }, body: { error: { message: 'overloaded' } } }, provenance: { model: 'test-model', recordedAt: '2026-01-01T00:00:00.000Z', library: 'vitest-simba@0.1.0' } }
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, JSON.stringify({ version: 1, entries: { [key]: entry } }))
    recorder = startRecorder({ mode: 'replay', ci: true, hosts: ['http://127.0.0.1:9/v1'] })
    await recorder.useFile(file, 'test/a.test.ts')
    const error = await lmAt('http://127.0.0.1:9/v1').call(question).catch((e: unknown) => e)
    expect((error as Error).message).toMatch(/422 .*not a complete response \(it carries an error object \(overloaded\)\).*-u/)
  })
})

describe('an answer cut off by the token limit', () => {
  test('is a truncation error naming maxTokens, not retried', async () => {
    const s = await serve(() => truncated('hel'))
    for (const [maxTokens, named] of [
      [3, 'maxTokens=3'],
      [undefined, 'maxTokens is not set'],
    ] as const) {
      s.requests.length = 0
      const error = await lmAt(s.url, { maxTokens }).call(question).catch((e: unknown) => e)
      expect(isSimbaError(error, 'SIMBA_LM_TRUNCATED')).toBe(true)
      expect((error as Error).message).toContain('finish_reason "length"')
      expect((error as Error).message).toContain(named)
      expect((error as Error).message).toContain('Raise maxTokens')
      expect(s.requests).toHaveLength(1)
    }
  })

  test('is never recorded: the LM gets the truncation error, a plain client gets the reply as it came', async () => {
    const s = await serve((body) => (body.stream ? truncatedStream('hel') : truncated('hel')))
    const file = fixtureFile()
    recorder = startRecorder({ mode: 'record-missing', hosts: [s.url] })
    await recorder.useFile(file, 'test/a.test.ts')
    const error = await lmAt(s.url, { maxTokens: 3 }).call(question).catch((e: unknown) => e)
    expect(isSimbaError(error, 'SIMBA_LM_TRUNCATED')).toBe(true)
    const reply = await client(s.url, { maxRetries: 0 }).chat.completions.create(ask('other'))
    expect([reply.choices[0]?.finish_reason, reply.choices[0]?.message.content]).toEqual(['length', 'hel'])
    const streamed = await client(s.url, { maxRetries: 0 }).chat.completions.create({ ...ask('streamed'), stream: true })
    let seen = ''
    for await (const chunk of streamed) seen += chunk.choices[0]?.delta.content ?? ''
    expect(seen).toBe('hel')
    expect((await recorder.flush())?.recorded).toBe(0)
    expect(existsSync(file)).toBe(false)
  })
})

describe('unusableBody / unusableStream', () => {
  test('what is and is not a usable answer', () => {
    const good = chatCompletion('ok')
    expect(unusableBody('/chat/completions', good)).toBeUndefined()
    expect(unusableBody('/chat/completions?api-version=1', {})?.kind).toBe('invalid')
    expect(unusableBody('/completions', { choices: [] })?.kind).toBe('invalid')
    expect(unusableBody('/embeddings', { data: [] })).toBeUndefined()
    expect(unusableBody('/embeddings', { error: { message: 'x' } })?.kind).toBe('invalid')
    expect(unusableBody('/responses', { object: 'response', status: 'completed', error: null, output: [] })).toBeUndefined()
    expect(unusableBody('/responses', { object: 'response', status: 'incomplete', error: null, incomplete_details: { reason: 'max_output_tokens' } })?.kind).toBe('truncated')
    const event = (v: unknown): string => `data: ${JSON.stringify(v)}`
    expect(unusableStream([event({ choices: [{ delta: { content: 'a' }, finish_reason: null }] }), event({ choices: [{ delta: {}, finish_reason: 'stop' }] }), 'data: [DONE]'])).toBeUndefined()
    expect(unusableStream([event({ choices: [{ delta: { content: 'a' }, finish_reason: 'length' }] }), 'data: [DONE]'])?.kind).toBe('truncated')
    expect(unusableStream([event({ choices: [{ delta: { content: 'a' }, finish_reason: 'length' }] }), event({ error: { message: 'boom' } }), 'data: [DONE]'])?.kind).toBe('invalid')
    expect(unusableStream([`event: response.incomplete\n${event({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } })}`])?.kind).toBe('truncated')
  })
})
