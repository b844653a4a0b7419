import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../src/testing/sim/server.js'
import { ask, client, field, support, wireMessages } from './helpers.js'

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({ worlds: ['examples/worlds/support-tickets.json', 'examples/worlds/expense-categories.json'] })
})
afterAll(() => sim.close())

const governed = [...support.train, ...support.test].filter((c) => support.rules.some((r) => r.keywords.some((k) => String(c.ticket).toLowerCase().includes(k))))
const accuracy = async (opts: Parameters<typeof ask>[2], cases = governed): Promise<number> => {
  const openai = client(sim.url)
  const answers = await Promise.all(cases.map((c) => ask(openai, c.ticket as string, opts)))
  return answers.filter((a, i) => field(a, 'queue') === cases[i]?.queue).length / cases.length
}

describe('HTTP surface', () => {
  it('answers in OpenAI shape with a deterministic id, fixed created and ~chars/4 usage', async () => {
    const openai = client(sim.url)
    const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', temperature: 0, messages: wireMessages({ inputs: ['ticket'], outputs: ['queue'], values: { ticket: 'My parcel is late' } }) })
    expect(r.object).toBe('chat.completion')
    expect(r.model).toBe('gpt-4o-mini')
    expect(r.created).toBe(1_700_000_000)
    expect(r.choices[0]?.finish_reason).toBe('stop')
    expect(r.choices[0]?.message.content).toMatch(/^\[\[ ## queue ## \]\]\n\w+\n\n\[\[ ## completed ## \]\]$/)
    expect(r.usage?.completion_tokens).toBe(Math.ceil((r.choices[0]?.message.content ?? '').length / 4))
    expect(r.usage?.total_tokens).toBe((r.usage?.prompt_tokens ?? 0) + (r.usage?.completion_tokens ?? 0))
    const again = await openai.chat.completions.create({ model: 'gpt-4o-mini', temperature: 0, messages: wireMessages({ inputs: ['ticket'], outputs: ['queue'], values: { ticket: 'My parcel is late' } }) })
    expect(again.id).toBe(r.id)
  })

  it('lists models and answers unknown paths with a 404 JSON error', async () => {
    const models = await client(sim.url).models.list()
    expect(models.data.map((m) => m.id)).toContain('simba-sim-1')
    const res = await fetch(`${sim.url}/nope`)
    expect(res.status).toBe(404)
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Unknown route GET \/v1\/nope/)
    const bad = await fetch(`${sim.url}/chat/completions`, { method: 'POST', body: '{not json' })
    expect(bad.status).toBe(400)
  })

  it('streams SSE chunks whose concatenation equals the non-streamed reply, usage in the last chunk', async () => {
    const openai = client(sim.url)
    const messages = wireMessages({ inputs: ['ticket'], outputs: ['queue'], values: { ticket: 'I was charged twice for one order, please help me.' } })
    const plain = await openai.chat.completions.create({ model: 'm', temperature: 0, messages })
    const stream = await openai.chat.completions.create({ model: 'm', temperature: 0, messages, stream: true, stream_options: { include_usage: true } })
    let text = ''
    let chunks = 0
    let usage: unknown
    let finish: string | null | undefined
    for await (const chunk of stream) {
      chunks++
      text += chunk.choices[0]?.delta.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
      if (chunk.usage) usage = chunk.usage
    }
    expect(chunks).toBeGreaterThan(3)
    expect(text).toBe(plain.choices[0]?.message.content)
    expect(finish).toBe('stop')
    expect(usage).toEqual(plain.usage)
  })

  it('counts requests by kind', () => {
    const s = sim.stats()
    expect(s.requests).toBeGreaterThan(0)
    expect(s.byKind.task).toBeGreaterThan(0)
  })
})

describe('determinism and temperature', () => {
  it('temperature 0: same answer whatever the rollout id, seed or repetition', async () => {
    const openai = client(sim.url)
    const cases = support.test.slice(0, 12)
    const base = await Promise.all(cases.map((c) => ask(openai, c.ticket as string)))
    const withRollout = await Promise.all(cases.map((c, i) => ask(openai, c.ticket as string, { headers: { 'x-simba-rollout-id': String(i + 7) } })))
    const withSeed = await Promise.all(cases.map((c) => ask(openai, c.ticket as string, { seed: 99 })))
    expect(withRollout).toEqual(base)
    expect(withSeed).toEqual(base)
  })

  it('temperature 1: answers vary across rollout ids, but one rollout id always gets one answer', async () => {
    const openai = client(sim.url)
    const cases = support.train.slice(0, 30)
    const byRollout = await Promise.all([1, 2, 3].map((id) => Promise.all(cases.map((c) => ask(openai, c.ticket as string, { temperature: 1, headers: { 'x-simba-rollout-id': String(id) } })))))
    const differing = cases.filter((_, i) => new Set(byRollout.map((r) => r[i])).size > 1).length
    expect(differing).toBeGreaterThan(3)
    const repeat = await Promise.all(cases.map((c) => ask(openai, c.ticket as string, { temperature: 1, headers: { 'x-simba-rollout-id': '2' } })))
    expect(repeat).toEqual(byRollout[1])
    const viaSeed = await Promise.all(cases.map((c) => ask(openai, c.ticket as string, { temperature: 1, seed: 2 })))
    expect(viaSeed).toEqual(byRollout[1])
  })
})

describe('rule sensitivity', () => {
  it('without rules, governed cases are answered at about the prior accuracy', async () => {
    const acc = await accuracy({})
    expect(acc).toBeGreaterThan(0.2)
    expect(acc).toBeLessThan(0.6)
  })

  it('a rule stated in the instructions (keyword and label in one sentence) is applied', async () => {
    const acc = await accuracy({ instructions: `Route the ticket.\n\n${support.rules.map((r) => r.statement).join('\n')}` })
    expect(acc).toBe(1)
  })

  it('a demo governed by the same rule teaches it; a demo with the wrong label does not', async () => {
    const rule = support.rules.find((r) => r.id === 'coupon')!
    const cases = governed.filter((c) => rule.keywords.some((k) => String(c.ticket).toLowerCase().includes(k)))
    const demo = { ticket: 'Where do I type the coupon from the flyer?', queue: 'account' }
    expect(await accuracy({ demos: [demo] }, cases)).toBe(1)
    const prior = await accuracy({}, cases)
    expect(await accuracy({ demos: [{ ...demo, queue: 'billing' }] }, cases)).toBe(prior)
    expect(prior).toBeLessThan(1)
  })

  it('a keyword in a sentence without the label does not teach the rule (answers equal the uninformed ones)', async () => {
    const openai = client(sim.url)
    const cases = governed.filter((c) => /coupon|voucher|promo code/i.test(String(c.ticket)))
    const plain = await Promise.all(cases.map((c) => ask(openai, c.ticket as string)))
    const split = await Promise.all(cases.map((c) => ask(openai, c.ticket as string, { instructions: 'Coupons and vouchers are tricky. The account team is great.' })))
    expect(split).toEqual(plain)
  })
})
