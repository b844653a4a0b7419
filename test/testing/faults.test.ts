import { APIConnectionTimeoutError, APIError } from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import type { FaultPlan } from '../../src/testing/sim/faults.js'
import { startSimulator, type Simulator } from '../../src/testing/sim/server.js'
import { waitUntil } from '../helpers/wait.js'
import { client, support, wireMessages } from './helpers.js'

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})
/** The content a simulator without faults answers to `call`. */
const normalAnswer = async (): Promise<string | null | undefined> => {
  const plain = await startSimulator({ worlds: [support] })
  try {
    const content = (await call(plain)).choices[0]?.message.content
    expect(content).toMatch(/^\[\[ ## queue ## \]\]\n\w+/)
    return content
  } finally {
    await plain.close()
  }
}
const start = async (faults: FaultPlan): Promise<Simulator> => (sim = await startSimulator({ worlds: [support], faults }))
const messages = (ticket = 'The app crashes on start') => wireMessages({ inputs: ['ticket'], outputs: ['queue'], values: { ticket } })
const call = (s: Simulator, ticket?: string, maxRetries = 0) => client(s.url, maxRetries).chat.completions.create({ model: 'm', temperature: 0, messages: messages(ticket) })
const streamText = async (s: Simulator): Promise<{ text: string; finish: string | null | undefined }> => {
  const stream = await client(s.url).chat.completions.create({ model: 'm', temperature: 0, messages: messages(), stream: true })
  let text = ''
  let finish: string | null | undefined
  for await (const c of stream) {
    text += c.choices[0]?.delta.content ?? ''
    finish = c.choices[0]?.finish_reason ?? finish
  }
  return { text, finish }
}

describe('faults', () => {
  it('429 with Retry-After for the first N requests, then normal answers (SDK retries succeed)', async () => {
    const s = await start({ kind: '429', times: 1, retryAfterMs: 5 })
    const err = await call(s).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(APIError)
    expect((err as APIError).status).toBe(429)
    expect((err as APIError).headers?.get('retry-after')).toBe('1')
    expect((err as APIError).headers?.get('retry-after-ms')).toBe('5')
    expect((await call(s)).choices[0]?.message.content).toBe(await normalAnswer())
    await s.close()
    const s2 = await start({ kind: '429', times: 2, retryAfterMs: 5 })
    const ok = await call(s2, undefined, 2)
    expect(ok.choices[0]?.message.content).toContain('[[ ## queue ## ]]')
    expect(s2.stats().faults['429']).toBe(2)
  })

  it('500 server error', async () => {
    const s = await start({ kind: '500' })
    const err = await call(s).catch((e: unknown) => e)
    expect((err as APIError).status).toBe(500)
  })

  it('hang: never answers (client times out), or answers after hangMs', async () => {
    const s = await start([{ kind: 'hang', match: (r) => String(JSON.stringify(r.body)).includes('forever') }, { kind: 'hang', hangMs: 20 }])
    const err = await client(s.url).chat.completions.create({ model: 'm', messages: messages('forever') }, { timeout: 150 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(APIConnectionTimeoutError)
    const late = await call(s)
    expect(late.choices[0]?.message.content).toContain('[[ ## completed ## ]]')
    await s.close() // closes while nothing hangs; close must not wait for hung sockets either
  })

  it('close() does not wait for a hung request', async () => {
    const s = await start({ kind: 'hang' })
    const pending = call(s).catch((e: unknown) => e)
    // The request is in flight once the simulator has chosen its fault (and will never answer it).
    await waitUntil('the simulator to receive the request', () => s.stats().faults['hang'] === 1)
    await s.close()
    expect(await pending).toBeInstanceOf(Error)
  })

  it('malformed-json: the body is cut off and the SDK fails to parse it', async () => {
    const s = await start({ kind: 'malformed-json' })
    await expect(call(s)).rejects.toThrow()
  })

  it('truncated-sse: the stream ends without [DONE] and without a finish_reason', async () => {
    const s = await start({ kind: 'truncated-sse' })
    const { text, finish } = await streamText(s)
    expect(finish).toBeUndefined()
    expect(text).not.toContain('[[ ## completed ## ]]')
  })

  it('truncated-sse mid-chunk: the last event is cut in half; the reply never completes (openai 6 drops the half event, openai 7 throws)', async () => {
    const s = await start({ kind: 'truncated-sse', truncate: 'mid-chunk' })
    const result: Awaited<ReturnType<typeof streamText>> | Error = await streamText(s).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))
    if (result instanceof Error) return expect(result).toBeInstanceOf(SyntaxError)
    expect(result.finish).toBeUndefined()
    expect(result.text).not.toContain('[[ ## completed ## ]]')
  })

  it('malformed-json on a stream: a data line that is not JSON makes the SDK throw', async () => {
    const s = await start({ kind: 'malformed-json' })
    await expect(streamText(s)).rejects.toThrow(SyntaxError)
  })

  it('garbage: a 200 reply whose content has no markers', async () => {
    const s = await start({ kind: 'garbage' })
    const r = await call(s)
    expect(r.choices[0]?.message.content).not.toMatch(/\[\[ ##/)
  })

  it('rate faults are seeded on the request: same plan, same requests, same failures; retries get fresh draws', async () => {
    const tickets = support.train.slice(0, 24).map((c) => c.ticket as string)
    const pattern = async (): Promise<boolean[]> => {
      const s = await start({ kind: '500', rate: 0.5, seed: 3 })
      const out = await Promise.all(tickets.map((t) => call(s, t).then(() => true, () => false)))
      await s.close()
      return out
    }
    const a = await pattern()
    expect(await pattern()).toEqual(a)
    expect(a.filter(Boolean).length).toBeGreaterThan(3)
    expect(a.filter((x) => !x).length).toBeGreaterThan(3)
    const s = await start({ kind: '500', rate: 0.5, seed: 3 })
    const withRetries = await Promise.all(tickets.map((t) => call(s, t, 8).then(() => true, () => false)))
    expect(withRetries.every(Boolean)).toBe(true)
  })

  it('a predicate limits faults to matching requests (here: only rule-writing requests)', async () => {
    const s = await start({ kind: '500', match: (r) => r.kind === 'rule-writing' })
    expect((await call(s)).choices[0]?.message.content).toBe(await normalAnswer())
    const rw = client(s.url).chat.completions.create({ model: 'm', messages: wireMessages({ inputs: ['program_inputs', 'module_names'], outputs: ['discussion', 'module_advice'], values: { program_inputs: '{}', module_names: '["self"]' } }) })
    await expect(rw).rejects.toMatchObject({ status: 500 })
  })
})

describe('latency options', () => {
  it('fixed, seeded-range and per-kind latencies all answer normally (no timing asserted)', async () => {
    for (const latency of [{ fixedMs: 2 }, { minMs: 1, maxMs: 4, seed: 1 }, { taskMs: 1, ruleMs: 3 }]) {
      const s = (sim = await startSimulator({ worlds: [support], latency }))
      const r = await call(s)
      expect(r.choices[0]?.message.content).toContain('[[ ## completed ## ]]')
      expect(s.stats()).toMatchObject({ requests: 1, byKind: { task: 1 } })
      await s.close()
      sim = undefined
    }
  })
})
