/**
 * The LM cache is bounded: it keeps at most `maxEntries` answers and drops the least recently used
 * first. Checked against a reference model for every sequence of operations, and end to end on
 * the real LM in front of a loopback server.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, test } from 'vitest'
import { DEFAULT_CACHE_ENTRIES, LMCache, type CachedAnswer } from '../../../src/core/lm/cache.js'
import { LM } from '../../../src/core/lm/lm.js'
import { startScriptedServer, type ScriptedServer } from '../../helpers/openai-server.js'

const answer = (text: string): Promise<CachedAnswer> => Promise.resolve({ text, usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 }, model: 'm' })

describe('LMCache bound', () => {
  test('any sequence of gets and sets keeps exactly the most recently used maxEntries keys', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(fc.constantFrom('get', 'set'), fc.integer({ min: 0, max: 8 })), { maxLength: 60 }),
        (max, ops) => {
          const cache = new LMCache(max)
          // Reference: keys in recency order, most recent last.
          let model: number[] = []
          for (const [op, k] of ops) {
            const key = `k${k}`
            if (op === 'get') {
              const hit = cache.get(key)
              expect(hit !== undefined).toBe(model.includes(k))
              if (model.includes(k)) model = [...model.filter((x) => x !== k), k]
            } else {
              cache.set(key, answer(key))
              model = [...model.filter((x) => x !== k), k].slice(-max)
            }
            expect(cache.size).toBe(model.length)
            expect(cache.size).toBeLessThanOrEqual(max)
          }
          for (let k = 0; k <= 8; k++) expect(cache.get(`k${k}`) !== undefined).toBe(model.includes(k))
        },
      ),
    )
  })

  test('the default bound is documented as 10,000 answers', () => {
    expect(DEFAULT_CACHE_ENTRIES).toBe(10_000)
    expect(new LMCache().maxEntries).toBe(10_000)
  })
})

describe('LM cache option', () => {
  let server: ScriptedServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  test('{ maxEntries: 2 }: the least recently used answer is asked again, the others are served from the cache', async () => {
    server = await startScriptedServer({ reply: (body) => `echo ${String(body.messages.at(-1)?.content)}` })
    const lm = new LM({ model: 'm', baseURL: server.url, cache: { maxEntries: 2 } })
    const ask = (q: string) => lm.call({ messages: [{ role: 'user', content: q }] })
    await ask('a')
    await ask('b')
    expect((await ask('a')).cached).toBe(true) // a is now the most recent
    await ask('c') // evicts b
    expect((await ask('a')).cached).toBe(true)
    expect((await ask('b')).cached).toBe(false)
    expect(server.requests).toHaveLength(4)
  })

  test('a bad bound is a SIMBA_CONFIG error naming the option', () => {
    expect(() => new LM({ model: 'm', baseURL: 'http://127.0.0.1:9', cache: { maxEntries: 0 } })).toThrow(/option cache must be/)
  })
})
