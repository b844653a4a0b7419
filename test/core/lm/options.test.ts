import { afterEach, describe, expect, test, vi } from 'vitest'
import { LM } from '../../../src/core/lm/lm.js'
import { isLoopback, resolveEndpoint } from '../../../src/core/lm/options.js'
import { isSimbaError } from '../../../src/errors.js'

afterEach(() => vi.unstubAllEnvs())
const ask = { messages: [{ role: 'user' as const, content: 'hi' }] }

describe('LM options', () => {
  test('loopback detection', () => {
    for (const u of ['http://127.0.0.1:8080/v1', 'http://localhost/v1', 'http://[::1]:3000/v1', 'http://127.4.5.6/v1']) expect(isLoopback(u)).toBe(true)
    for (const u of ['https://api.openai.com/v1', 'http://10.0.0.1/v1', 'http://127.0.0.1.evil.com/v1', 'nonsense']) expect(isLoopback(u)).toBe(false)
  })

  test('env defaults and the loopback placeholder key', () => {
    expect(resolveEndpoint({ model: 'm' }, { OPENAI_API_KEY: 'sk-1', OPENAI_BASE_URL: 'http://x/v1' })).toEqual({ baseURL: 'http://x/v1', apiKey: 'sk-1', keyError: undefined })
    expect(resolveEndpoint({ model: 'm' }, { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }).apiKey).toBe('no-key')
    expect(resolveEndpoint({ model: 'm', apiKey: 'own' }, {}).apiKey).toBe('own')
    const r = resolveEndpoint({ model: 'm' }, {})
    expect(r.baseURL).toBe('https://api.openai.com/v1')
    expect(r.keyError?.code).toBe('SIMBA_CONFIG')
  })

  test('no key for a remote URL: constructing works, the first call throws SIMBA_CONFIG naming OPENAI_API_KEY', async () => {
    vi.stubEnv('OPENAI_API_KEY', '')
    vi.stubEnv('OPENAI_BASE_URL', '')
    const lm = new LM({ model: 'gpt-4o-mini' })
    const err = await lm.call(ask).catch((e: unknown) => e)
    expect(isSimbaError(err, 'SIMBA_CONFIG')).toBe(true)
    expect((err as Error).message).toMatch(/set OPENAI_API_KEY/)
    expect((err as Error).message).toContain('gpt-4o-mini')
  })

  test('bad options and bad requests are clear SIMBA_CONFIG errors', async () => {
    expect(() => new LM({ model: '' })).toThrow(/non-empty `model`/)
    expect(() => new LM({ model: 'm', concurrency: 0 })).toThrow(/concurrency must be/)
    expect(() => new LM({ model: 'm', timeoutMs: Number.NaN })).toThrow(/timeoutMs must be/)
    expect(() => new LM({ model: 'm', rolloutId: 1.5 })).toThrow(/rolloutId must be an integer/)
    const lm = new LM({ model: 'm', baseURL: 'http://127.0.0.1:1/v1' })
    await expect(lm.call({ messages: [] })).rejects.toThrow(/at least one message/)
    await expect(lm.call({ messages: [{ role: 'user', content: 3 as unknown as string }] })).rejects.toThrow(/string contents/)
  })
})
