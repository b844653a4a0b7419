import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ChatAdapter } from '../../src/core/adapter/chat.js'
import { JSONAdapter } from '../../src/core/adapter/json.js'
import { signature } from '../../src/core/signature/signature.js'
import { parsePrompt } from '../../src/testing/sim/prompt.js'
import { simulate } from '../../src/testing/sim/simulate.js'
import { expense, support } from './helpers.js'

const route = signature({ inputs: { ticket: z.string() }, outputs: { queue: z.enum(support.labels as [string, ...string[]]) } })
const worlds = [support, expense]
const text = fc.oneof(
  fc.string(),
  fc.constantFrom('[[ ## queue ## ]]', '\\[[ ## ticket ## ]]', 'charged twice', 'GDPR', '{"queue": "x"}'),
  fc.array(fc.oneof(fc.string(), fc.constant('[[ ## completed ## ]]'), fc.constant('coupon')), { maxLength: 4 }).map((l) => l.join('\n')),
)

describe('simulator properties', () => {
  it('the parser reads back whatever input value the real chat adapter rendered (marker-like lines included)', () => {
    fc.assert(
      fc.property(text, text, (ticket, instructions) => {
        const req = new ChatAdapter().format({ signature: route, instructions: instructions.includes('## Fields') ? 'x' : instructions || 'x', demos: [], inputs: { ticket } })
        expect(parsePrompt(req.messages, req.responseFormat).inputs.ticket).toBe(ticket.trim())
      }),
    )
  })

  it('every task reply parses with the adapter that asked, into a valid label; temperature 0 ignores the rollout', () => {
    fc.assert(
      fc.property(text, fc.boolean(), fc.nat(50), (ticket, json, rollout) => {
        const adapter = json ? new JSONAdapter() : new ChatAdapter()
        const req = adapter.format({ signature: route, instructions: route.instructions, demos: [], inputs: { ticket } })
        const a = simulate(worlds, req.messages, req.responseFormat, { temperature: 0, rollout: '', salt: '0' })
        const b = simulate(worlds, req.messages, req.responseFormat, { temperature: 0, rollout: String(rollout), salt: '0' })
        expect(b).toEqual(a)
        expect(support.labels).toContain(adapter.parse(route, a.content, 'route').queue)
      }),
    )
  })

  it('a governed case whose rule is stated in the instructions is always answered with the rule label at temperature 0', () => {
    const governed = [...support.train, ...support.test].filter((c) => support.rules.some((r) => r.keywords.some((k) => String(c.ticket).toLowerCase().includes(k))))
    fc.assert(
      fc.property(fc.constantFrom(...governed), fc.string({ maxLength: 40 }), (c, noise) => {
        const rule = support.rules.find((r) => r.keywords.some((k) => String(c.ticket).toLowerCase().includes(k)))!
        const instructions = `${noise.replace(/[^a-z ]/gi, '')}\n\n${rule.statement}`
        const req = new ChatAdapter().format({ signature: route, instructions, demos: [], inputs: { ticket: c.ticket } })
        expect(new ChatAdapter().parse(route, simulate(worlds, req.messages, undefined, { temperature: 0, rollout: '', salt: '0' }).content, 'r').queue).toBe(rule.label)
      }),
    )
  })
})
