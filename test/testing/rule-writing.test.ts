import { describe, expect, it } from 'vitest'
import { instructionsKnow } from '../../src/testing/sim/knowledge.js'
import { simulate } from '../../src/testing/sim/simulate.js'
import type { SampleContext } from '../../src/testing/sim/seed.js'
import { governingRule } from '../../src/testing/world/oracle.js'
import { expense, field, support, wireMessages } from './helpers.js'

const worlds = [support, expense]
const INPUTS = ['program_code', 'modules_defn', 'program_inputs', 'oracle_metadata', 'worse_program_trajectory', 'worse_program_outputs', 'worse_reward_value', 'worse_reward_info', 'better_program_trajectory', 'better_program_outputs', 'better_reward_value', 'better_reward_info', 'module_names']
const OUTPUTS = ['discussion', { name: 'module_advice', type: '{"type":"object","additionalProperties":{"type":"string"}}' }]
const j = (v: unknown): string => JSON.stringify(v, null, 2)

/** A feedback request for a two-module program (extract → route) on one ticket. */
function feedback(ticket: string, gold: string, opts: { modules?: string[]; rollout?: string; json?: boolean } = {}) {
  const modules = opts.modules ?? ['extract', 'route']
  const traj = (queue: string) => [
    { module_name: 'extract', inputs: { ticket }, outputs: { key_phrases: ticket } },
    { module_name: 'route', inputs: { ticket, key_phrases: ticket }, outputs: { queue } },
  ].filter((s) => modules.includes(s.module_name))
  const values = {
    program_code: 'class Router extends Module {}',
    modules_defn: '---',
    program_inputs: j({ ticket }),
    oracle_metadata: j({ queue: gold }),
    worse_program_trajectory: j(traj('other')),
    worse_program_outputs: j({ queue: 'other' }),
    worse_reward_value: '0',
    worse_reward_info: '{}',
    better_program_trajectory: j(traj(gold)),
    better_program_outputs: j({ queue: gold }),
    better_reward_value: '1',
    better_reward_info: '{}',
    module_names: j(modules),
  }
  const ctx: SampleContext = { temperature: 1, rollout: opts.rollout ?? '1', salt: '0' }
  return simulate(worlds, wireMessages({ inputs: INPUTS, outputs: OUTPUTS, values, json: opts.json }), undefined, ctx)
}

const advice = (content: string): Record<string, string> => JSON.parse(field(content, 'module_advice') ?? 'null') as Record<string, string>

describe('rule-writing requests', () => {
  it('reply has a discussion and advice keyed by exactly the module names; the routing module gets the rule', () => {
    const r = feedback('I was charged twice for the same order.', 'billing', { rollout: '3' })
    expect(r.kind).toBe('rule-writing')
    expect(field(r.content, 'discussion')).toMatch(/lower-scoring run answered "other".*higher-scoring run answered "billing"/)
    const a = advice(r.content)
    expect(Object.keys(a).sort()).toEqual(['extract', 'route'])
    expect(a.extract).toMatch(/verbatim/)
  })

  it('most advice teaches the governing rule (keyword + label in one sentence); about 20% is vague and teaches nothing', () => {
    const cases = [...support.train, ...support.test].filter((c) => governingRule(support, c))
    let taught = 0
    for (const c of cases) {
      const rule = governingRule(support, c)!
      const a = advice(feedback(c.ticket as string, c.queue as string).content)
      const t = instructionsKnow(rule, a.route ?? '')
      if (t) taught++
      else expect(rule.keywords.some((k) => (a.route ?? '').toLowerCase().includes(k))).toBe(false)
    }
    const share = taught / cases.length
    expect(share).toBeGreaterThan(0.65)
    expect(share).toBeLessThan(0.95)
  })

  it('advice appended to the instructions makes the task request answer the rule correctly', () => {
    const rule = support.rules.find((r) => r.id === 'unknown-login')!
    const a = ['1', '2', '3', '4', '5', '6'].map((id) => advice(feedback('Got a phishing email today', 'security', { rollout: id }).content)).find((x) => instructionsKnow(rule, x.route ?? ''))
    if (!a) throw new Error('no teaching advice in 6 rollouts')
    const instructions = `Route the ticket.\n\n${a.route}`
    const phishing = [...support.train, ...support.test].filter((c) => /phishing|unknown device|recognize/i.test(String(c.ticket)))
    const ctx: SampleContext = { temperature: 0, rollout: '', salt: '0' }
    const right = phishing.filter((c) => field(simulate(worlds, wireMessages({ instructions, inputs: ['ticket'], outputs: ['queue'], values: { ticket: c.ticket } }), undefined, ctx).content, 'queue') === 'security')
    expect(phishing.length).toBeGreaterThan(5)
    expect(right.length).toBe(phishing.length)
  })

  it('a single-module program gets the rule under its own name; a case no rule governs gets general, non-teaching advice', () => {
    const single = advice(feedback('Do you have a store in Porto?', 'other', { modules: ['self'] }).content)
    expect(Object.keys(single)).toEqual(['self'])
    expect(single.self).toMatch(/prefer other/)
    for (const r of support.rules) expect(instructionsKnow(r, single.self ?? '')).toBe(false)
  })

  it('JSON format: module_advice is a nested object', () => {
    const r = feedback('My store credit is gone', 'billing', { json: true })
    const obj = JSON.parse(r.content) as { discussion: string; module_advice: Record<string, string> }
    expect(Object.keys(obj.module_advice).sort()).toEqual(['extract', 'route'])
  })

  it('an unparseable request still gets valid markers with empty advice', () => {
    const r = simulate(worlds, wireMessages({ inputs: INPUTS, outputs: OUTPUTS, values: { program_inputs: 'not json', module_names: '[oops' } }), undefined, { temperature: 0, rollout: '', salt: '0' })
    expect(r.content).toMatch(/\[\[ ## discussion ## \]\]\n.+\n\n\[\[ ## module_advice ## \]\]\n\{\}\n\n\[\[ ## completed ## \]\]$/)
  })
})
