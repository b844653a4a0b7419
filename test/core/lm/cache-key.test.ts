import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { LMCache, cacheKey } from '../../../src/core/lm/cache.js'
import type { CachedAnswer, RequestBody } from '../../../src/core/lm/cache.js'

/** Rebuilds every plain object with its keys in a random order. */
function shuffleKeys(value: unknown, order: number[]): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, order))
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value)
    const shuffled = keys.map((k, i) => [k, order[i % Math.max(1, order.length)] ?? 0] as const).sort((a, b) => a[1] - b[1]).map(([k]) => k)
    const out: Record<string, unknown> = {}
    for (const k of shuffled) out[k] = shuffleKeys((value as Record<string, unknown>)[k], order)
    return out
  }
  return value
}

const message = fc.record({ role: fc.constantFrom('system', 'user', 'assistant'), content: fc.string() })
const extra = fc.dictionary(fc.constantFrom('seed', 'top_p', 'stop', 'presence_penalty', 'n'), fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.string()), { maxKeys: 3 })
const body = fc
  .record(
    {
      model: fc.string({ minLength: 1 }),
      messages: fc.array(message, { minLength: 1, maxLength: 4 }),
      temperature: fc.double({ min: 0, max: 2, noNaN: true }),
      max_tokens: fc.integer({ min: 1, max: 4096 }),
      response_format: fc.constant({ type: 'json_object' }),
    },
    { requiredKeys: ['model', 'messages', 'temperature'] },
  )
  .chain((b) => extra.map((e) => ({ ...e, ...b }) as RequestBody))
const rollout = fc.option(fc.integer({ min: -5, max: 1000 }), { nil: undefined })

describe('cacheKey properties', () => {
  test('does not depend on object key order', () => {
    fc.assert(
      fc.property(body, rollout, fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), (b, r, order) => {
        expect(cacheKey(shuffleKeys(b, order) as RequestBody, r)).toBe(cacheKey(b, r))
      }),
    )
  })

  const changes: Array<[string, (b: RequestBody) => RequestBody]> = [
    ['model', (b) => ({ ...b, model: `${b.model}x` })],
    ['messages (content)', (b) => ({ ...b, messages: b.messages.map((m, i) => (i === 0 ? { ...(m as object), content: `${(m as { content: string }).content}!` } : m)) })],
    ['messages (role)', (b) => ({ ...b, messages: b.messages.map((m, i) => (i === 0 ? { ...(m as object), role: (m as { role: string }).role === 'user' ? 'system' : 'user' } : m)) })],
    ['messages (one more)', (b) => ({ ...b, messages: [...b.messages, { role: 'user', content: '' }] })],
    ['temperature', (b) => ({ ...b, temperature: (b['temperature'] as number) + 0.5 })],
    ['max_tokens', (b) => ({ ...b, max_tokens: ((b['max_tokens'] as number | undefined) ?? 0) + 1 })],
    ['response_format', (b) => (b['response_format'] ? (({ response_format: _, ...rest }) => rest as RequestBody)(b) : { ...b, response_format: { type: 'json_object' } })],
    ['extraBody', (b) => ({ ...b, seed: b['seed'] === 1 ? 2 : 1 })],
  ]
  test.each(changes)('changes when %s changes', (_name, change) => {
    fc.assert(
      fc.property(body, rollout, (b, r) => {
        expect(cacheKey(change(b), r)).not.toBe(cacheKey(b, r))
      }),
    )
  })

  test('changes with the rollout id (and undefined differs from every id)', () => {
    fc.assert(
      fc.property(body, rollout, rollout, (b, r1, r2) => {
        fc.pre(r1 !== r2)
        expect(cacheKey(b, r1)).not.toBe(cacheKey(b, r2))
      }),
    )
  })
})

describe('LMCache', () => {
  test('drops rejected entries and keeps resolved ones', async () => {
    const cache = new LMCache()
    const ok: CachedAnswer = { text: 't', usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 }, model: 'm' }
    cache.set('a', Promise.resolve(ok))
    cache.set('b', Promise.reject(new Error('x')))
    await expect(cache.get('b')).rejects.toThrow('x')
    await new Promise((r) => setTimeout(r, 0))
    expect(cache.get('b')).toBeUndefined()
    expect(await cache.get('a')).toBe(ok)
    cache.clear()
    expect(cache.size).toBe(0)
  })
})
