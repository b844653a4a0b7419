import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ChatAdapter } from '../../src/core/adapter/chat.js'
import { JSONAdapter } from '../../src/core/adapter/json.js'
import { LM } from '../../src/core/lm/lm.js'
import { ChainOfThought } from '../../src/core/predict/chain-of-thought.js'
import { Predict } from '../../src/core/predict/predict.js'
import { field } from '../../src/core/signature/field.js'
import { signature } from '../../src/core/signature/signature.js'
import { startSimulator, type Simulator } from '../../src/testing/sim/server.js'
import { simulate } from '../../src/testing/sim/simulate.js'
import { expense, support } from './helpers.js'

const route = signature({
  inputs: { ticket: field(z.string(), "The customer's message.") },
  outputs: { queue: field(z.enum(['billing', 'technical', 'account', 'shipping', 'security', 'other']), 'Queue that handles it.') },
})
const feedbackSig = signature({
  instructions: 'Compare the two runs and give each module advice.',
  inputs: Object.fromEntries(['program_inputs', 'oracle_metadata', 'worse_program_trajectory', 'better_program_trajectory', 'module_names'].map((k) => [k, z.string()])),
  outputs: { discussion: z.string(), module_advice: z.record(z.string(), z.string()) },
})
const ctx0 = { temperature: 0, rollout: '', salt: '0' }
const worlds = [support, expense]

describe.each([new ChatAdapter(), new JSONAdapter()])('the real $name adapter', (adapter) => {
  it('renders a task request the simulator understands (rule in instructions, demos), and parses its reply', () => {
    const instructions = 'Route the ticket. Gift cards and store credit go to billing.'
    const req = adapter.format({ signature: route, instructions, demos: [{ ticket: 'I found a coupon in the box', queue: 'account' }], inputs: { ticket: 'My gift card shows zero' } })
    const sim = simulate(worlds, req.messages, req.responseFormat, ctx0)
    expect(sim.kind).toBe('task')
    expect(adapter.parse(route, sim.content, 'route')).toEqual({ queue: 'billing' })
    const viaDemo = adapter.format({ signature: route, instructions: route.instructions, demos: [{ ticket: 'I found a coupon in the box', queue: 'account' }], inputs: { ticket: 'The voucher is rejected' } })
    expect(adapter.parse(route, simulate(worlds, viaDemo.messages, viaDemo.responseFormat, ctx0).content, 'route')).toEqual({ queue: 'account' })
  })

  it('renders a rule-writing request whose reply parses into advice keyed by the module names', () => {
    const inputs = {
      program_inputs: JSON.stringify({ ticket: 'I was charged twice' }),
      oracle_metadata: JSON.stringify({ queue: 'billing' }),
      worse_program_trajectory: JSON.stringify([{ module_name: 'self', inputs: { ticket: 'I was charged twice' }, outputs: { queue: 'other' } }]),
      better_program_trajectory: JSON.stringify([{ module_name: 'self', inputs: { ticket: 'I was charged twice' }, outputs: { queue: 'billing' } }]),
      module_names: JSON.stringify(['self']),
    }
    const req = adapter.format({ signature: feedbackSig, instructions: feedbackSig.instructions, demos: [], inputs })
    const sim = simulate(worlds, req.messages, req.responseFormat, ctx0)
    expect(sim.kind).toBe('rule-writing')
    const out = adapter.parse(feedbackSig, sim.content, 'feedback') as { module_advice: Record<string, string> }
    expect(Object.keys(out.module_advice)).toEqual(['self'])
  })
})

describe('end to end: LM + Predict over HTTP', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator({ worlds })
  })
  afterAll(() => sim.close())

  it('Predict and ChainOfThought get parseable answers; rollout ids travel in the header', async () => {
    const lm = new LM({ model: 'simba-sim-1', baseURL: sim.url, apiKey: 'x', maxRetries: 0, sendRolloutHeader: true })
    const p = new Predict(route, { lm, instructions: 'API keys, webhooks and rate limits go to technical.' })
    expect(await p.forward({ ticket: 'Our webhook stopped firing' })).toEqual({ queue: 'technical' })
    const cot = new ChainOfThought(route, { lm })
    const r = await cot.forward({ ticket: 'Where is my parcel?' })
    expect(typeof r.reasoning).toBe('string')
    expect(route.outputFields[0]?.schema.safeParse(r.queue).success).toBe(true)
    const hot = lm.copy({ temperature: 1 })
    const tickets = support.train.slice(0, 16).map((c) => c.ticket as string)
    const answers = await Promise.all([1, 2, 3].map((id) => Promise.all(tickets.map((t) => new Predict(route, { lm: hot.copy({ rolloutId: id }) }).forward({ ticket: t }))))) 
    const differing = tickets.filter((_, i) => new Set(answers.map((a) => a[i]?.queue)).size > 1).length
    expect(differing).toBeGreaterThan(0)
  })
})
