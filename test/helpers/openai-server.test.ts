import OpenAI from 'openai'
import { afterEach, describe, expect, test } from 'vitest'
import { hang, httpError, malformedJson, sequence, startScriptedServer } from './openai-server.js'
import type { ScriptedServer } from './openai-server.js'

let server: ScriptedServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const client = (url: string, timeout = 60_000): OpenAI => new OpenAI({ baseURL: url, apiKey: 'k', maxRetries: 0, timeout })
const ask = { model: 'test-model', messages: [{ role: 'user' as const, content: 'hello there' }] }

describe('scripted OpenAI-compatible server', () => {
  test('answers chat completions with usage and captures the request', async () => {
    server = await startScriptedServer({ reply: (body) => `echo ${body.messages[0]?.content}` })
    const res = await client(server.url).chat.completions.create({ ...ask, temperature: 0 })
    expect(res.choices[0]?.message.content).toBe('echo hello there')
    expect(res.usage).toEqual({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 })
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]?.body?.temperature).toBe(0)
    expect(server.requests[0]?.headers['authorization']).toBe('Bearer k')
  })

  test('streams SSE chunks that the SDK reassembles', async () => {
    server = await startScriptedServer({ reply: () => 'one two  three' })
    const stream = await client(server.url).chat.completions.create({ ...ask, stream: true })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe('one two  three')
  })

  test('lists models and 404s unknown routes', async () => {
    server = await startScriptedServer({ reply: () => 'x', models: ['a', 'b'] })
    const list = await client(server.url).models.list()
    expect(list.data.map((m) => m.id)).toEqual(['a', 'b'])
    await expect(client(server.url).embeddings.create({ model: 'e', input: 'x' })).rejects.toThrow(/404 scripted server: no route/)
  })

  test('failure injection: status with Retry-After, malformed JSON, hang', async () => {
    server = await startScriptedServer({ reply: sequence(httpError(429, 'slow down', { retryAfter: 2 }), malformedJson(), hang()) })
    const c = client(server.url)
    const err = (await c.chat.completions.create(ask).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>
    expect(err.status).toBe(429)
    expect(err.message).toContain('slow down')
    expect(err.headers?.get('retry-after')).toBe('2')
    await expect(c.chat.completions.create(ask)).rejects.toThrow(/JSON/)
    // Only the call that can never be answered gets a short timeout (the others must not race it).
    await expect(client(server.url, 200).chat.completions.create(ask)).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError)
    expect(server.requests).toHaveLength(3)
  })
})
