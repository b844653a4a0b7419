import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, test } from 'vitest'
import { LM } from '../../src/core/lm/lm.js'
import { lmShortcut } from '../../src/core/lm/context.js'
import type { FixtureRecorder } from '../../src/recording/recorder.js'
import { startScriptedServer, type ScriptedServer } from '../helpers/openai-server.js'
import { API_KEY, ask, client, startRecorder, tempDir, text } from './support.js'

// Our LM's recorded calls are answered before the openai SDK's request reaches `fetch` (no msw
// interception per replayed call). These tests pin that it is the same replay: same keys as the
// msw handler in both directions, redaction and rollout ids included, misses and live calls still
// reported by msw, and the file untouched.

let recorder: FixtureRecorder | undefined
let server: ScriptedServer | undefined
let cleanup: (() => void) | undefined
const realFetch = globalThis.fetch

afterEach(async () => {
  globalThis.fetch = realFetch
  recorder?.stop()
  await server?.close()
  cleanup?.()
  recorder = server = cleanup = undefined
})

async function setup(): Promise<{ url: string; file: string }> {
  server = await startScriptedServer({ reply: (body) => `echo ${body.messages.at(-1)?.content}` })
  const t = tempDir()
  cleanup = t.cleanup
  return { url: server.url, file: join(t.dir, 'fixtures', 'a.test.ts.lm.json') }
}

/** Counts the calls that reach `globalThis.fetch` (msw's patched fetch) from now on. */
function countFetches(): { count: () => number } {
  let n = 0
  const patched = globalThis.fetch
  globalThis.fetch = ((...a: Parameters<typeof fetch>) => {
    n++
    return patched(...a)
  }) as typeof fetch
  return { count: () => n }
}

const lmFor = (url: string, extra: Partial<ConstructorParameters<typeof LM>[0]> = {}): LM =>
  new LM({ model: 'test-model', baseURL: url, apiKey: API_KEY, maxRetries: 0, cache: false, ...extra })

/** Records one `LM` call asking `content` into `file`, then stops the recorder. */
async function recordOneLMCall(url: string, file: string, content: string): Promise<void> {
  recorder = startRecorder({ mode: 'record-missing', hosts: [url] })
  await recorder.useFile(file, 'test/a.test.ts')
  await lmFor(url).call({ messages: [{ role: 'user', content }] })
  await recorder.flush()
  recorder.stop()
}

describe('LM replay shortcut', () => {
  test('entries recorded through msw by a plain openai client replay for the LM without reaching fetch, same text, counts and file', async () => {
    const { url, file } = await setup()
    recorder = startRecorder({ mode: 'record-missing', hosts: [url], redact: [{ pattern: /secret-\d+/g, replacement: '[redacted]' }] })
    await recorder.useFile(file, 'test/a.test.ts')
    const prompts = ['hello', 'order secret-123 is late', 'x'.repeat(3000)]
    for (const p of prompts) await client(url).chat.completions.create(ask(p))
    // the same request with a rollout id is another entry (lmCallContext for the LM, the header for the client)
    await client(url).chat.completions.create(ask('hello'), { headers: { 'x-simba-rollout-id': '3' } })
    expect(await recorder.flush()).toMatchObject({ recorded: 4 })
    recorder.stop()
    await server!.close()
    server = undefined
    const before = text(file)

    recorder = startRecorder({ mode: 'record-missing', hosts: [url], ci: true, redact: [{ pattern: /secret-\d+/g, replacement: '[redacted]' }] })
    await recorder.useFile(file, 'test/a.test.ts')
    const fetches = countFetches()
    const lm = lmFor(url)
    for (const p of prompts) {
      const res = await lm.call({ messages: [{ role: 'user', content: p }] })
      expect(res.text).toBe(`echo ${p.replace(/secret-\d+/, '[redacted]')}`)
    }
    expect((await lmFor(url, { rolloutId: 3 }).call({ messages: [{ role: 'user', content: 'hello' }] })).text).toBe('echo hello')
    expect(fetches.count()).toBe(0)
    expect(await recorder.flush()).toMatchObject({ replayed: 4, missing: 0, unused: 0, written: false })
    expect(text(file)).toBe(before)
  })

  test('entries recorded by the LM replay for a plain openai client through msw (the two paths key alike)', async () => {
    const { url, file } = await setup()
    recorder = startRecorder({ mode: 'record-missing', hosts: [url] })
    await recorder.useFile(file, 'test/a.test.ts')
    const lm = lmFor(url, { maxTokens: 50 })
    await lm.call({ messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'ping' }], responseFormat: { type: 'json_object' } })
    expect(await recorder.flush()).toMatchObject({ recorded: 1 })
    recorder.stop()
    await server!.close()
    server = undefined

    recorder = startRecorder({ mode: 'replay', hosts: [url], ci: true })
    await recorder.useFile(file, 'test/a.test.ts')
    const fetches = countFetches()
    const body = { model: 'test-model', messages: [{ role: 'system' as const, content: 'be brief' }, { role: 'user' as const, content: 'ping' }], temperature: 0, max_tokens: 50, response_format: { type: 'json_object' as const } }
    const res = await client(url).chat.completions.create(body)
    expect(res.choices[0]?.message.content).toBe('echo ping')
    expect(fetches.count()).toBe(1)
    expect(await recorder.flush()).toMatchObject({ replayed: 1, missing: 0 })
  })

  test('a miss in strict replay still goes to msw and is reported (HTTP 418 naming the file); live calls are not answered from fixtures', async () => {
    const { url, file } = await setup()
    await recordOneLMCall(url, file, 'known')

    recorder = startRecorder({ mode: 'replay', hosts: [url], ci: true })
    await recorder.useFile(file, 'test/a.test.ts')
    const fetches = countFetches()
    const lm = lmFor(url)
    await expect(lm.call({ messages: [{ role: 'user', content: 'unknown' }] })).rejects.toThrow(/a\.test\.ts\.lm\.json/)
    expect(fetches.count()).toBe(1)
    // a recorded request made in the live phase is not replayed: strict replay fails it
    await expect(recorder.withPhase('live', () => lm.call({ messages: [{ role: 'user', content: 'known' }] }))).rejects.toThrow()
    expect(fetches.count()).toBe(2)
    expect(await recorder.flush()).toMatchObject({ replayed: 0, missing: 2 })
  })

  test('the LM says which answers were replayed from a fixture: through the shortcut and through msw (an LM with its own fetch); a recorded call is live', async () => {
    const { url, file } = await setup()
    recorder = startRecorder({ mode: 'record-missing', hosts: [url] })
    await recorder.useFile(file, 'test/a.test.ts')
    const recorded = await lmFor(url).call({ messages: [{ role: 'user', content: 'first' }] })
    expect(recorded.replayed).toBeUndefined()
    const viaShortcut = await lmFor(url).call({ messages: [{ role: 'user', content: 'first' }] })
    expect(viaShortcut.replayed).toBe(true)
    const ownFetch = lmFor(url, { fetch: (...a: Parameters<typeof fetch>) => globalThis.fetch(...a) })
    const viaMsw = await ownFetch.call({ messages: [{ role: 'user', content: 'first' }] })
    expect(viaMsw).toMatchObject({ text: 'echo first', replayed: true })
    const cached = lmFor(url, { cache: true })
    await cached.call({ messages: [{ role: 'user', content: 'first' }] })
    expect(await cached.call({ messages: [{ role: 'user', content: 'first' }] })).toMatchObject({ cached: true })
    expect((await cached.call({ messages: [{ role: 'user', content: 'first' }] })).replayed).toBeUndefined()
  })

  test('the shortcut is installed by start() and removed by stop()', () => {
    recorder = startRecorder({ mode: 'replay', hosts: ['http://127.0.0.1:9/v1'] })
    expect(lmShortcut()).toBeTypeOf('function')
    recorder.stop()
    expect(lmShortcut()).toBeUndefined()
    recorder = undefined
  })

  test('property: for any prompt, the LM replays what a plain client recorded', async () => {
    const { url, file } = await setup()
    const prompts = fc.sample(fc.string({ minLength: 1, maxLength: 40 }), { numRuns: 25, seed: 7 })
    recorder = startRecorder({ mode: 'record-missing', hosts: [url] })
    await recorder.useFile(file, 'test/a.test.ts')
    for (const p of prompts) await client(url).chat.completions.create(ask(p))
    await recorder.flush()
    recorder.stop()

    recorder = startRecorder({ mode: 'replay', hosts: [url], ci: true })
    await recorder.useFile(file, 'test/a.test.ts')
    const fetches = countFetches()
    const lm = lmFor(url)
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...prompts), async (p) => {
        expect((await lm.call({ messages: [{ role: 'user', content: p }] })).text).toBe(`echo ${p}`)
      }),
      { numRuns: 25, seed: 11 },
    )
    expect(fetches.count()).toBe(0)
  })
})

describe('LM replay shortcut: stored entries that cannot be replayed', () => {
  test('an incomplete entry fails the LM call with the error msw gives (422 naming the file and the re-record command), not retried', async () => {
    const { url, file } = await setup()
    await recordOneLMCall(url, file, 'broken')
    // an entry whose JSON body was stored as unparsable text
    const data = JSON.parse(text(file)) as { entries: Record<string, { response: { body?: unknown; text?: string } }> }
    for (const e of Object.values(data.entries)) {
      delete e.response.body
      e.response.text = '{"choices": ['
    }
    writeFileSync(file, JSON.stringify(data))

    recorder = startRecorder({ mode: 'replay', hosts: [url], ci: true })
    await recorder.useFile(file, 'test/a.test.ts')
    let retries = 0
    const lm = lmFor(url, { maxRetries: 2, onRetry: () => retries++ })
    type Failure = Error & { code?: string }
    const failure = (p: Promise<unknown>): Promise<Failure> => p.then(() => new Error('resolved') as Failure, (e: unknown) => e as Failure)
    const viaShortcut = await failure(lm.call({ messages: [{ role: 'user', content: 'broken' }] }))
    // the same call with the LM's own fetch goes through the SDK and msw: the same error
    const viaMsw = await failure(
      lmFor(url, { maxRetries: 2, onRetry: () => retries++, fetch: (...a: Parameters<typeof fetch>) => globalThis.fetch(...a) }).call({ messages: [{ role: 'user', content: 'broken' }] }),
    )
    expect(viaShortcut.code).toBe('SIMBA_FIXTURE_INVALID')
    expect(viaShortcut.message).toMatch(/422 .*a\.test\.ts\.lm\.json is not a complete response.*-u/)
    expect([viaShortcut.code, viaShortcut.message, viaShortcut.constructor]).toEqual([viaMsw.code, viaMsw.message, viaMsw.constructor])
    expect(retries).toBe(0)
  })
})
