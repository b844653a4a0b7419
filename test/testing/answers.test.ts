import { describe, expect, it } from 'vitest'
import { instructionsKnow } from '../../src/testing/sim/knowledge.js'
import { parsePrompt } from '../../src/testing/sim/prompt.js'
import { simulate } from '../../src/testing/sim/simulate.js'
import type { SampleContext } from '../../src/testing/sim/seed.js'
import { goldLabel, governingRule } from '../../src/testing/world/oracle.js'
import type { World } from '../../src/testing/world/schema.js'
import { expense, field, support, wireMessages } from './helpers.js'

const ctx0: SampleContext = { temperature: 0, rollout: '', salt: '0' }
const worlds = [support, expense]

/** Test-split accuracy of a one-predictor program with the given instructions. */
function score(world: World, instructions: string | undefined, ctx = ctx0): number {
  const right = world.test.filter((c) => {
    const values = Object.fromEntries(world.inputs.map((k) => [k, c[k]]))
    const msgs = wireMessages({ instructions, inputs: world.inputs, outputs: [world.output], values })
    return field(simulate(worlds, msgs, undefined, ctx).content, world.output) === c[world.output]
  })
  return right.length / world.test.length
}

describe.each([support, expense])('world $name', (world) => {
  it('every rule statement teaches its rule; an unoptimized program scores ~0.4–0.55, one knowing all rules ~0.9+', () => {
    for (const r of world.rules) expect(instructionsKnow(r, r.statement ?? '')).toBe(true)
    const base = score(world, undefined)
    const all = score(world, world.rules.map((r) => r.statement).join(' '))
    console.log(`[sim] ${world.name}: test accuracy unoptimized ${base.toFixed(3)}, all rules known ${all.toFixed(3)}`)
    expect(base).toBeGreaterThanOrEqual(0.3)
    expect(base).toBeLessThanOrEqual(0.6)
    expect(all).toBeGreaterThanOrEqual(0.88)
  })
})

describe('request kinds', () => {
  it('task with a reasoning field fills reasoning with a sentence; JSON format gives a JSON object', () => {
    const msgs = wireMessages({ instructions: 'Gift cards and store credit go to billing.', inputs: ['ticket'], outputs: ['reasoning', 'queue'], values: { ticket: 'My gift card is empty' }, json: true })
    const out = simulate(worlds, msgs, undefined, ctx0)
    expect(out.kind).toBe('task')
    const obj = JSON.parse(out.content) as Record<string, string>
    expect(Object.keys(obj)).toEqual(['reasoning', 'queue'])
    expect(obj.queue).toBe('billing')
    expect(obj.reasoning).toMatch(/gift card/)
  })

  it('a multi-input world is picked by field names, and a subset of its inputs is enough', () => {
    const both = wireMessages({ inputs: ['vendor', 'line_item'], outputs: ['category'], values: { vendor: 'GridPower', line_item: 'Usage 20 kWh' } })
    const one = wireMessages({ inputs: ['line_item'], outputs: ['category'], values: { line_item: 'Usage 20 kWh' } })
    expect(simulate(worlds, both, undefined, ctx0)).toMatchObject({ kind: 'task', world: 'expense-categories' })
    expect(simulate(worlds, one, undefined, ctx0)).toMatchObject({ kind: 'task', world: 'expense-categories' })
  })

  it('other modules echo the key phrases (sentences with rule keywords), typed by the declared type', () => {
    const ticket = 'Hello there. I was charged twice for my order. Thanks a lot!'
    const text = simulate(worlds, wireMessages({ inputs: ['ticket'], outputs: ['key_phrases'], values: { ticket } }), undefined, ctx0)
    expect(text.kind).toBe('other-module')
    expect(field(text.content, 'key_phrases')).toBe('I was charged twice for my order.')
    const list = simulate(worlds, wireMessages({ inputs: ['ticket'], outputs: [{ name: 'phrases', type: '{"type":"array","items":{"type":"string"}}' }, { name: 'urgent', type: 'boolean' }], values: { ticket: 'Nothing special here at all, just saying hi to the whole team today' } }), undefined, ctx0)
    expect(JSON.parse(field(list.content, 'phrases') ?? '')).toEqual(['Nothing special here at all, just saying hi to the whole team today'.split(' ').slice(0, 12).join(' ')])
    expect(list.content).toContain('[[ ## urgent ## ]]\nfalse')
  })

  it('unknown requests get a generic answer per output field; junk never crashes', () => {
    const g = simulate(worlds, wireMessages({ inputs: ['question'], outputs: ['answer', { name: 'n', type: 'integer' }, { name: 'mood', type: 'one of: happy, sad' }] , values: { question: 'Why?' } }), undefined, ctx0)
    expect(g.kind).toBe('generic')
    expect(field(g.content, 'answer')).toBe('Simulated answer.')
    expect(field(g.content, 'n')).toBe('0')
    expect(['happy', 'sad']).toContain(field(g.content, 'mood'))
    for (const junk of [[{ role: 'user', content: 'hello' }], [{ role: 'system' }], [{ content: [{ type: 'text', text: '[[ ## x ## ]]\n1' }] }], [{ role: 'user', content: 42 }]]) {
      expect(typeof simulate(worlds, junk, { type: 'json_object' }, ctx0).content).toBe('string')
    }
  })

  it('parses escaped marker lines, partial-demo notes and JSON demo answers', () => {
    const p = parsePrompt(
      [
        { role: 'system', content: 'Do it.\n\n## Fields\nInputs:\n- `ticket` (string): The message.\nOutputs:\n- `queue` (one of: a, b): Q.\n\n## Format\nReply with one JSON object.' },
        { role: 'user', content: 'This example shows only some of the fields.\n\n[[ ## ticket ## ]]\nline one\n\\[[ ## queue ## ]]' },
        { role: 'assistant', content: '{"queue": "a"}' },
        { role: 'user', content: '[[ ## ticket ## ]]\nreal' },
      ],
      undefined,
    )
    expect(p).toMatchObject({ instructions: 'Do it.', wantsJson: true, inputs: { ticket: 'real' }, demos: [{ ticket: 'line one\n[[ ## queue ## ]]', queue: 'a' }] })
    expect(p.outputFields).toEqual([{ name: 'queue', type: 'one of: a, b', description: 'Q.' }])
  })
})

describe('governing rules', () => {
  it('the first rule with a keyword wins, case-insensitively, across all input fields', () => {
    expect(governingRule(support, { ticket: 'CHARGED TWICE and my 2FA broke' })?.id).toBe('duplicate-charge')
    expect(governingRule(expense, { vendor: 'Acme Consulting', line_item: 'hours' })?.id).toBe('retainer')
    expect(governingRule(support, { ticket: 'nothing here' })).toBeUndefined()
  })
})

describe('pipelines', () => {
  it('a routing stage fed only with extracted phrases still finds the case (gold) and the governing rule', () => {
    const ticket = 'Do you have a physical store in Lisbon?'
    const extract = simulate(worlds, wireMessages({ inputs: ['ticket'], outputs: ['key_phrases'], values: { ticket } }), undefined, ctx0)
    const phrases = field(extract.content, 'key_phrases') ?? ''
    expect(goldLabel(support, { key_phrases: phrases })).toBe('other')
    const routed = simulate(worlds, wireMessages({ inputs: ['key_phrases'], outputs: ['queue'], values: { key_phrases: phrases } }), undefined, ctx0)
    expect(routed.kind).toBe('task')
    const gov = simulate(worlds, wireMessages({ instructions: 'Gift cards and store credit go to billing.', inputs: ['key_phrases'], outputs: ['queue'], values: { key_phrases: 'My gift card is empty.' } }), undefined, ctx0)
    expect(field(gov.content, 'queue')).toBe('billing')
  })

  it('a system message without a field list that asks for JSON gets JSON', () => {
    const r = simulate(worlds, [{ role: 'system', content: 'Answer in JSON.' }, { role: 'user', content: 'hi' }], undefined, ctx0)
    expect(JSON.parse(r.content)).toEqual({})
  })
})
