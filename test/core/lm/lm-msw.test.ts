import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, describe, expect, test } from 'vitest'
import { lmCallContext } from '../../../src/core/lm/context.js'
import type { LMCallInfo } from '../../../src/core/lm/context.js'
import { LM } from '../../../src/core/lm/lm.js'
import { chatCompletion } from '../../helpers/openai-server.js'

// Built before msw starts: the LM must still be intercepted (late-bound fetch).
const lm = new LM({ model: 'm', baseURL: 'http://127.0.0.1:65535/v1', rolloutId: 7 })
const seen: Array<LMCallInfo | undefined> = []
const mock = setupServer(
  http.post('http://127.0.0.1:65535/v1/chat/completions', () => {
    seen.push(lmCallContext.getStore())
    return HttpResponse.json(chatCompletion('from msw'))
  }),
)
afterAll(() => mock.close())

describe('LM under msw', () => {
  test('an LM built before server.listen() is intercepted and its rollout id is visible to the handler', async () => {
    // msw 2 names the option onUnhandledRequest, msw 3 onUnhandledFrame.
    mock.listen({ onUnhandledRequest: 'error', onUnhandledFrame: 'error' } as Parameters<typeof mock.listen>[0])
    const res = await lm.call({ messages: [{ role: 'user', content: 'x' }] })
    expect(res.text).toBe('from msw')
    expect(seen).toEqual([{ rolloutId: 7, model: 'm' }])
  })
})
