import { afterEach, describe, expect, test } from 'vitest'
import { ROLLOUT_HEADER, lmCallContext } from '../../../src/core/lm/context.js'
import type { LMCallInfo } from '../../../src/core/lm/context.js'
import { LM } from '../../../src/core/lm/lm.js'
import { createLimiter } from '../../../src/internal/concurrency/limiter.js'
import { startScriptedServer } from '../../helpers/openai-server.js'
import type { ScriptedServer } from '../../helpers/openai-server.js'
import { waitUntil } from '../../helpers/wait.js'

let server: ScriptedServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const msg = (content: string) => ({ messages: [{ role: 'user' as const, content }] })

/**
 * A server-side barrier: holds an answer until `limit` requests are being answered at once (or
 * every one of `total` requests has arrived), so a limiter that lets too many through is caught
 * whatever the machine's speed, and one that lets too few through never passes by luck.
 */
const atLimit = (limit: number, total: number): Promise<unknown> =>
  waitUntil(`${limit} requests in flight`, () => server!.inFlight >= limit || server!.requests.length >= total)

describe('LM sharing: limiter, cache, rollout ids, usage', () => {
  test('the concurrency limit holds across copies', async () => {
    // Each answer waits until the limit is reached, so the test sees the limit reached and never
    // exceeded, however slowly the calls arrive (a fixed latency only made overlap likely).
    server = await startScriptedServer({ reply: async (b) => (await atLimit(3, 12), `re ${b.messages[0]?.content}`) })
    const lm = new LM({ model: 'm', baseURL: server.url, concurrency: 3, cache: false })
    const family = [lm, lm.copy({ temperature: 1 }), lm.copy({ rolloutId: 4 })]
    const calls = Array.from({ length: 12 }, (_, i) => family[i % 3]!.call(msg(`q${i}`)))
    const results = await Promise.all(calls)
    expect(results.map((r) => r.text)).toEqual(Array.from({ length: 12 }, (_, i) => `re q${i}`))
    expect(server.requests).toHaveLength(12)
    expect(server.maxInFlight).toBe(3)
  })

  test('a shared limiter caps two unrelated LMs together', async () => {
    server = await startScriptedServer({ reply: async () => (await atLimit(2, 8), 'x') })
    const limiter = createLimiter(2)
    const a = new LM({ model: 'a', baseURL: server.url, limiter, cache: false })
    const b = new LM({ model: 'b', baseURL: server.url, limiter, cache: false })
    await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).call(msg(`q${i}`))))
    expect(server.maxInFlight).toBe(2)
  })

  test('identical concurrent calls are made once and share the answer', async () => {
    server = await startScriptedServer({ reply: () => 'shared', latencyMs: 10 })
    const lm = new LM({ model: 'm', baseURL: server.url })
    const results = await Promise.all([lm.call(msg('same')), lm.copy({}).call(msg('same')), lm.call(msg('same'))])
    expect(server.requests).toHaveLength(1)
    expect(results.map((r) => [r.text, r.cached])).toEqual([
      ['shared', false],
      ['shared', true],
      ['shared', true],
    ])
    expect(lm.usage()).toMatchObject({ calls: 3, cachedCalls: 2 })
  })

  test('a copy pointed at another server does not get the first server\'s cached answers', async () => {
    server = await startScriptedServer({ reply: () => 'from one' })
    const two = await startScriptedServer({ reply: () => 'from two' })
    try {
      const lm = new LM({ model: 'm', baseURL: server.url })
      expect((await lm.call(msg('same'))).text).toBe('from one')
      const other = lm.copy({ baseURL: two.url })
      expect(await other.call(msg('same'))).toMatchObject({ text: 'from two', cached: false })
      expect((await lm.copy({ temperature: 0 }).call(msg('same'))).cached).toBe(true)
    } finally {
      await two.close()
    }
  })

  test('rolloutId changes the cache key and never reaches the body; no header by default', async () => {
    server = await startScriptedServer({ reply: () => 'r' })
    const lm = new LM({ model: 'm', baseURL: server.url, temperature: 1 })
    await lm.call(msg('q'))
    await lm.copy({ rolloutId: 1 }).call(msg('q'))
    await lm.copy({ rolloutId: 2 }).call(msg('q'))
    const again = await lm.copy({ rolloutId: 1 }).call(msg('q'))
    expect(again.cached).toBe(true)
    expect(server.requests).toHaveLength(3)
    for (const r of server.requests) {
      expect(r.raw).not.toMatch(/rollout/i)
      expect(r.headers[ROLLOUT_HEADER]).toBeUndefined()
    }
    expect(new Set(server.requests.map((r) => r.raw)).size).toBe(1)
  })

  test('the rollout header is sent only with sendRolloutHeader', async () => {
    server = await startScriptedServer({ reply: () => 'r' })
    const lm = new LM({ model: 'm', baseURL: server.url, rolloutId: 5, sendRolloutHeader: true, headers: { 'x-extra': 'y' } })
    await lm.call(msg('a'))
    await lm.copy({ rolloutId: undefined }).call(msg('a'))
    expect(server.requests.map((r) => r.headers[ROLLOUT_HEADER])).toEqual(['5', undefined])
    expect(server.requests.map((r) => r.headers['x-extra'])).toEqual(['y', 'y'])
    expect(server.requests[0]?.raw).not.toMatch(/rollout/i)
  })

  test('lmCallContext is visible inside a custom fetch during the call only', async () => {
    server = await startScriptedServer({ reply: () => 'ctx' })
    const seen: Array<LMCallInfo | undefined> = []
    const fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      seen.push(lmCallContext.getStore())
      return globalThis.fetch(input, init)
    }
    const lm = new LM({ model: 'm', baseURL: server.url, fetch, rolloutId: 9 })
    await Promise.all([lm.call(msg('a')), lm.copy({ rolloutId: 3, model: 'm2' }).call(msg('b'))])
    expect(seen).toHaveLength(2)
    expect(seen).toContainEqual({ rolloutId: 9, model: 'm' })
    expect(seen).toContainEqual({ rolloutId: 3, model: 'm2' })
    expect(lmCallContext.getStore()).toBeUndefined()
  })

  test('usage and cost totals are shared by copies; cached calls cost nothing', async () => {
    server = await startScriptedServer({ reply: () => 'one two three' })
    const prices = { m: { inputPer1M: 2, outputPer1M: 10 }, other: { inputPer1M: 100, outputPer1M: 100 } }
    const lm = new LM({ model: 'm', baseURL: server.url, prices })
    const r1 = await lm.call(msg('a b c d'))
    await lm.copy({ temperature: 0.5 }).call(msg('a b c d'))
    await lm.call(msg('a b c d'))
    expect(r1.usage).toEqual({ promptTokens: 4, completionTokens: 3, totalTokens: 7 })
    const totals = lm.usage()
    expect(totals).toMatchObject({ calls: 3, cachedCalls: 1, promptTokens: 8, completionTokens: 6, totalTokens: 14 })
    expect(totals.cost).toBeCloseTo((8 * 2 + 6 * 10) / 1e6, 12)
    expect(new LM({ model: 'z', baseURL: server.url }).usage().calls).toBe(0)
  })

  test('copy keeps settings, overrides some and resets undefined ones to defaults', () => {
    const lm = new LM({ model: 'm', baseURL: 'http://127.0.0.1:1/v1', temperature: 0.3, maxTokens: 10, rolloutId: 2 })
    const c = lm.copy({ temperature: 1, maxTokens: undefined })
    expect([c.model, c.temperature, c.maxTokens, c.rolloutId, c.baseURL]).toEqual(['m', 1, undefined, 2, 'http://127.0.0.1:1/v1'])
  })
})
