/**
 * Keys passed in the URL query (Azure style `?api-key=…`, `defaultQuery` on an openai client):
 * masked in the recorded path and the fixture key, registered as credentials, and still replayed
 * after the key rotates. Real msw in front of the real openai SDK and a loopback server.
 */
import { join } from 'node:path'
import fc from 'fast-check'
import OpenAI from 'openai'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { isSimbaError } from '../../src/errors.js'
import { canonicalRequest, fixtureKey } from '../../src/recording/key.js'
import type { FixtureRecorder } from '../../src/recording/recorder.js'
import { isCredentialParam, maskQueryCredentials, MASKED_QUERY_VALUE } from '../../src/recording/secrets.js'
import { startScriptedServer, type ScriptedServer } from '../helpers/openai-server.js'
import { ask, startRecorder, tempDir, text } from './support.js'

let recorder: FixtureRecorder | undefined
let server: ScriptedServer | undefined
let cleanup: (() => void) | undefined

afterEach(async () => {
  recorder?.stop()
  await server?.close()
  cleanup?.()
  recorder = server = cleanup = undefined
})

/** An openai client sending `query` on every request (fetch looked up at call time, so msw sees it). */
const azure = (baseURL: string, query: Record<string, string>): OpenAI =>
  new OpenAI({ apiKey: 'unused-0', baseURL, defaultQuery: query, maxRetries: 0, fetch: (...a: Parameters<typeof fetch>) => globalThis.fetch(...a) })

describe('credentials in the URL query', () => {
  test('an api-key query value is never written; the entry replays after the key rotates; an echo of it is refused', async () => {
    server = await startScriptedServer({ reply: (body) => `echo ${body.messages.at(-1)?.content}` })
    const t = tempDir()
    cleanup = t.cleanup
    const file = join(t.dir, 'fixtures', 'q.test.ts.lm.json')
    const first = 'azure0f9e8d7c6b5a4321key' // no known key shape: only its place in the query marks it
    recorder = startRecorder({ mode: 'record-missing', hosts: [server.url] })
    await recorder.useFile(file, 'q.test.ts')
    await azure(server.url, { 'api-version': '2024-10-21', 'api-key': first }).chat.completions.create(ask('route this ticket'))
    await recorder.flush()
    const recorded = text(file)
    expect(recorded).not.toContain(first)
    expect(recorded).toContain(`"path": "/chat/completions?api-version=2024-10-21&api-key=${MASKED_QUERY_VALUE}"`)

    // The same value echoed in a prompt (and so in the reply) is a registered credential: refused.
    await azure(server.url, { 'api-version': '2024-10-21', 'api-key': first }).chat.completions.create(ask(`my key is ${first}`))
    const error = await recorder.flush().catch((e: unknown) => e)
    expect(isSimbaError(error, 'SIMBA_SECRET')).toBe(true)
    expect((error as Error).message).not.toContain(first)
    expect(text(file)).not.toContain(first)
    recorder.stop()

    // Strict replay with a rotated key: the masked path keys the same, so the recording answers.
    const before = server.requests.length
    recorder = startRecorder({ mode: 'replay', hosts: [server.url] })
    await recorder.useFile(file, 'q.test.ts')
    const reply = await azure(server.url, { 'api-version': '2024-10-21', 'api-key': 'rotated-9a8b7c6d5e4f' }).chat.completions.create(ask('route this ticket'))
    expect(reply.choices[0]?.message.content).toBe('echo route this ticket')
    expect(server.requests.length).toBe(before)
  })

  test('a blocked request to another host is printed with its credential query values masked', async () => {
    server = await startScriptedServer({ reply: () => 'x' })
    const other = await startScriptedServer({ reply: () => 'other' })
    const t = tempDir()
    cleanup = t.cleanup
    recorder = startRecorder({ mode: 'record-missing', hosts: [server.url], otherHosts: 'error' })
    await recorder.useFile(join(t.dir, 'fixtures', 'o.test.ts.lm.json'))
    const printed: string[] = []
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void printed.push(a.map(String).join(' ')))
    try {
      await expect(fetch(`${other.url}/models?api-key=other0f9e8d7c6b5a4321&limit=2`)).rejects.toThrow()
    } finally {
      spy.mockRestore()
      await other.close()
    }
    expect(printed.join('\n')).toContain('/models?api-key=[masked]&limit=2')
    expect(printed.join('\n')).not.toContain('other0f9e8d7c6b5a4321')
  })

  test('masking keeps every other parameter byte for byte, is idempotent, and gives one key for any credential value', () => {
    expect(maskQueryCredentials('/chat/completions')).toBe('/chat/completions')
    expect(maskQueryCredentials('/chat/completions?api-version=2024-10-21')).toBe('/chat/completions?api-version=2024-10-21')
    expect(maskQueryCredentials('/x?a=%20b&KEY=AIzaSecret123&sig=abc%2Bdef&empty=&flag#frag')).toBe('/x?a=%20b&KEY=[masked]&sig=[masked]&empty=&flag#frag')
    expect(maskQueryCredentials('/x?api-key=')).toBe('/x?api-key=')
    const keyOf = (value: string): string => fixtureKey(canonicalRequest({ method: 'POST', path: `/chat/completions?api-version=1&api-key=${encodeURIComponent(value)}`, bodyText: '{"a":1}' }))
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        expect(keyOf(a)).toBe(keyOf(b))
        const masked = maskQueryCredentials(`/p?token=${encodeURIComponent(a)}&model=m`)
        expect(maskQueryCredentials(masked)).toBe(masked)
        expect(masked).toBe('/p?token=[masked]&model=m')
      }),
    )
  })

  test.each([
    'api-key', 'API-KEY', 'api_key', 'apiKey', 'apikey', 'key', 'Key', 'token', 'access_token', 'accessToken', 'refresh_token', 'id_token',
    'sig', 'signature', 'code', 'password', 'pwd', 'secret', 'client_secret', 'subscription-key', 'Ocp-Apim-Subscription-Key', 'X-Amz-Signature',
    'X-Amz-Security-Token', 'x-goog-signature', 'session', 'auth', 'bot_token', 'github-token', 'my_api_key', 'db-password', 'api%2Dkey',
  ])('%s is a credential parameter', (name) => {
    expect(isCredentialParam(name)).toBe(true)
    expect(maskQueryCredentials(`/v1/x?${name}=abc123`)).toBe(`/v1/x?${name}=[masked]`)
  })

  test.each(['api-version', 'model', 'limit', 'after', 'order', 'max_tokens', 'page_token', 'next_page_token', 'deployment', 'stream', 'keys', 'tokens', 'monkey', 'tokenizer'])('%s is not', (name) => {
    expect(isCredentialParam(name)).toBe(false)
    expect(maskQueryCredentials(`/v1/x?${name}=abc123`)).toBe(`/v1/x?${name}=abc123`)
  })
})
