import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { backoffDelayMs, parseRetryAfter, retryDelayMs } from '../../../src/core/lm/retry.js'

describe('Retry-After and backoff', () => {
  test('parses seconds (incl. fractional) and HTTP dates', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')
    expect(parseRetryAfter('3', now)).toBe(3000)
    expect(parseRetryAfter(' 0.25 ', now)).toBe(250)
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
    expect(parseRetryAfter('', now)).toBeUndefined()
  })

  test('Retry-After wins over backoff, retry-after-ms over both, and the cap holds', () => {
    const h = (o: Record<string, string>): Headers => new Headers(o)
    expect(retryDelayMs(1, h({ 'retry-after': '2' }), 250, 30_000)).toBe(2000)
    expect(retryDelayMs(1, h({ 'retry-after': '2', 'retry-after-ms': '40' }), 250, 30_000)).toBe(40)
    expect(retryDelayMs(1, h({ 'retry-after': '3600' }), 250, 30_000)).toBe(30_000)
    expect(retryDelayMs(1, undefined, 250, 30_000, () => 1)).toBe(250)
  })

  test('backoff: within [base·2^(n-1)/2, base·2^(n-1)] and never above the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 60_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, base, cap, r) => {
        const d = backoffDelayMs(attempt, base, cap, () => r)
        const full = base * 2 ** (attempt - 1)
        expect(d).toBeLessThanOrEqual(Math.min(cap, Math.ceil(full)))
        expect(d).toBeGreaterThanOrEqual(Math.min(cap, Math.floor(full / 2)))
      }),
    )
  })
})
