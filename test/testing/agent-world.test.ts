/**
 * The simulated agent of a tool world, driven with hand-written prompts in the ReAct wire format
 * (react: inputs + `trajectory` -> `next_thought`, `next_tool_name`, `next_tool_args`; extract:
 * inputs + `trajectory` -> `reasoning`, label), and the rule writer / consolidator reading agent runs.
 */
import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../../src/internal/json/canonical.js'
import { simulate } from '../../src/testing/sim/simulate.js'
import type { SampleContext } from '../../src/testing/sim/seed.js'
import { loadWorld, parseWorld } from '../../src/testing/world/load.js'
import { lookupChain, runWorldTool, worldToolDefinitions, type ToolWorld } from '../../src/testing/world/tools.js'
import { field, support, wireMessages } from './helpers.js'

const world = loadWorld('examples/worlds/order-desk.json') as ToolWorld
const worlds = [support, world]
const T0: SampleContext = { temperature: 0, rollout: '', salt: '0' }
const TOOL_BLOCK = [
  'You are an agent. In each turn you see the input fields and the trajectory so far, and you choose the next tool to call. When you have what you need to produce the outputs (`resolution`), call `finish`.',
  'Tools:',
  '(1) `lookup_order`: Status of an order and its tracking number once shipped, by order number. Arguments: {"orderId":{"description":"The order number, e.g. A-1042","type":"string"}}',
  '(2) `track_parcel`: What happened to a parcel, by tracking number. Arguments: {"trackingId":{"description":"The tracking number, e.g. TRK-12345","type":"string"}}',
  '(3) `finish`: Signal that the task is complete. Arguments: {}',
].join('\n')
const BASE = 'Decide how to resolve the customer message.'

interface Step { tool: string; args: Record<string, unknown>; observation: unknown }
const trajectoryText = (steps: readonly Step[]): string =>
  steps
    .flatMap((s, i) => [`thought_${i}: thinking`, `tool_name_${i}: ${s.tool}`, `tool_args_${i}: ${canonicalJson(s.args)}`, `observation_${i}: ${typeof s.observation === 'string' ? s.observation : canonicalJson(s.observation)}`])
    .join('\n')

const REACT_OUT = ['next_thought', { name: 'next_tool_name', type: 'one of: lookup_order, track_parcel, finish' }, { name: 'next_tool_args', type: '{"type":"object"}' }]

function react(message: string, steps: Step[], opts: { extra?: string; demos?: Array<Record<string, unknown>>; ctx?: SampleContext } = {}) {
  const instructions = `${BASE}\n\n${TOOL_BLOCK}${opts.extra ? `\n\n${opts.extra}` : ''}`
  const r = simulate(worlds, wireMessages({ instructions, inputs: ['message', 'trajectory'], outputs: REACT_OUT, values: { message, trajectory: trajectoryText(steps) }, demos: opts.demos }), undefined, opts.ctx ?? T0)
  expect(r.kind).toBe('react')
  return { tool: field(`${r.content}\n\n[[ ## x ## ]]`, 'next_tool_name'), args: JSON.parse(field(`${r.content}\n\n[[ ## x ## ]]`, 'next_tool_args') ?? '{}') as Record<string, unknown> }
}

function extract(message: string, steps: Step[], opts: { extra?: string; demos?: Array<Record<string, unknown>>; ctx?: SampleContext } = {}): string | undefined {
  const r = simulate(worlds, wireMessages({ instructions: `${BASE}${opts.extra ? `\n\n${opts.extra}` : ''}`, inputs: ['message', 'trajectory'], outputs: ['reasoning', { name: 'resolution', type: 'one of: refund, reship, track, escalate' }], values: { message, trajectory: trajectoryText(steps) }, demos: opts.demos }), undefined, opts.ctx ?? T0)
  expect(r.kind).toBe('extract')
  return field(r.content, 'resolution')
}

const cases = [...world.train, ...world.test].map((c) => ({ message: c.message as string, gold: c.resolution as string }))
const twoHop = cases.find((c) => lookupChain(world, c).length === 2) as { message: string; gold: string }
const chainOf = (message: string) => lookupChain(world, { message })
const LOOKUP = 'When the message mentions an order, call `lookup_order` with its number as orderId.'
const TRACK = 'When the order record has tracking information, call `track_parcel` with it.'

describe('simulated react step', () => {
  it('unoptimized: mostly finishes at once, otherwise a wrong tool or argument; rarely the right call', () => {
    const moves = cases.map((c) => ({ c, m: react(c.message, []) }))
    const finish = moves.filter(({ m }) => m.tool === 'finish').length / moves.length
    const right = moves.filter(({ c, m }) => m.tool === 'lookup_order' && canonicalJson(m.args) === canonicalJson(chainOf(c.message)[0]?.args)).length / moves.length
    expect(finish).toBeGreaterThan(0.4)
    expect(right).toBeLessThan(0.3)
  })

  it('the tool list ReAct adds teaches nothing; a sentence naming the tool and the cue makes it call the right tool with the right argument', () => {
    const plain = cases.filter((c) => react(c.message, []).tool === 'finish')
    expect(plain.length).toBeGreaterThan(0)
    for (const c of plain) {
      const m = react(c.message, [], { extra: LOOKUP })
      expect(m).toEqual({ tool: 'lookup_order', args: chainOf(c.message)[0]?.args })
    }
  })

  it('two hops: the first lookup\'s result is the argument of the second, which needs its own rule', () => {
    const [first, second] = chainOf(twoHop.message)
    const steps = [{ tool: 'lookup_order', args: first!.args, observation: first!.observation }]
    expect(react(twoHop.message, steps, { extra: `${LOOKUP}\n\n${TRACK}` })).toEqual({ tool: 'track_parcel', args: second!.args })
    expect(second!.args.trackingId).toBe((first!.observation as Record<string, unknown>).tracking)
    expect(react(twoHop.message, [...steps, { tool: 'track_parcel', args: second!.args, observation: second!.observation }], { extra: `${LOOKUP}\n\n${TRACK}` }).tool).toBe('finish')
    // Without the second rule, after the first lookup the agent does not go on to the right call.
    const without = cases.filter((c) => chainOf(c.message).length === 2).map((c) => {
      const [f, s] = chainOf(c.message)
      const m = react(c.message, [{ tool: 'lookup_order', args: f!.args, observation: f!.observation }], { extra: LOOKUP })
      return m.tool === 'track_parcel' && canonicalJson(m.args) === canonicalJson(s!.args)
    })
    expect(without.filter(Boolean).length / without.length).toBeLessThan(0.3)
  })

  it('a demo trajectory that shows the lookup teaches it', () => {
    const demoCase = cases.find((c) => c !== twoHop && chainOf(c.message).length >= 1)!
    const [d] = chainOf(demoCase.message)
    const demo = { message: demoCase.message, trajectory: trajectoryText([{ tool: 'lookup_order', args: d!.args, observation: d!.observation }]), next_thought: 'done', next_tool_name: 'finish', next_tool_args: {} }
    const plain = cases.filter((c) => c !== demoCase && react(c.message, []).tool === 'finish')
    for (const c of plain) expect(react(c.message, [], { demos: [demo] })).toEqual({ tool: 'lookup_order', args: chainOf(c.message)[0]?.args })
    // A demo with a wrong argument teaches nothing.
    const wrong = { ...demo, trajectory: trajectoryText([{ tool: 'lookup_order', args: { orderId: 'Z-0000' }, observation: 'Error: no record' }]) }
    for (const c of plain) expect(react(c.message, [], { demos: [wrong] }).tool).toBe('finish')
  })

  it('temperature 0 is deterministic; at temperature 1 the uninformed move varies with the rollout', () => {
    const c = cases[0]!
    expect(react(c.message, [])).toEqual(react(c.message, []))
    const tools = new Set(Array.from({ length: 24 }, (_, i) => react(c.message, [], { ctx: { temperature: 1, rollout: String(i), salt: '0' } }).tool))
    expect(tools.size).toBeGreaterThan(1)
  })
})

describe('simulated extract step', () => {
  it('maps the deciding result to the label only when the mapping rule is known; else answers by the prior', () => {
    let priorRight = 0
    for (const c of cases) {
      const steps = chainOf(c.message).map((s) => ({ tool: s.tool, args: s.args, observation: s.observation }))
      const rules = world.mappings.map((r) => `A result showing "${r.keywords[0]}" means ${r.label}.`).join('\n')
      expect(extract(c.message, steps, { extra: rules })).toBe(c.gold)
      if (extract(c.message, steps) === c.gold) priorRight++
      // Knowing the mapping without the result in the trajectory does not help.
      expect(extract(c.message, [], { extra: rules })).toBe(extract(c.message, []))
    }
    expect(priorRight / cases.length).toBeLessThan(0.5)
  })
})

describe('rule writer and consolidator on agent runs', () => {
  const INPUTS = ['program_code', 'modules_defn', 'program_inputs', 'oracle_metadata', 'worse_program_trajectory', 'worse_program_outputs', 'worse_reward_value', 'worse_reward_info', 'better_program_trajectory', 'better_program_outputs', 'better_reward_value', 'better_reward_info', 'module_names']
  const OUTPUTS = ['discussion', { name: 'module_advice', type: '{"type":"object","additionalProperties":{"type":"string"}}' }]
  const j = (v: unknown): string => JSON.stringify(v, null, 2)
  const run = (message: string, steps: Step[], label: string) => [
    { module_name: 'react', inputs: { message, trajectory: '' }, outputs: { next_thought: 't', next_tool_name: steps[0]?.tool ?? 'finish', next_tool_args: steps[0]?.args ?? {} } },
    { module_name: 'extract.predict', inputs: { message, trajectory: trajectoryText(steps) }, outputs: { reasoning: 'r', resolution: label } },
  ]
  function advise(message: string, worse: Step[], better: Step[], rollout: string): Record<string, string> {
    const values = {
      program_code: 'ReAct', modules_defn: '---', program_inputs: j({ message }), oracle_metadata: j({}),
      worse_program_trajectory: j(run(message, worse, 'track')), worse_program_outputs: j({ resolution: 'track' }), worse_reward_value: '0', worse_reward_info: '{}',
      better_program_trajectory: j(run(message, better, 'refund')), better_program_outputs: j({ resolution: 'refund' }), better_reward_value: '1', better_reward_info: '{}',
      module_names: j(['react', 'extract.predict']),
    }
    const r = simulate(worlds, wireMessages({ inputs: INPUTS, outputs: OUTPUTS, values }), undefined, { temperature: 1, rollout, salt: '0' })
    return JSON.parse(field(r.content, 'module_advice') ?? 'null') as Record<string, string>
  }

  it('names the missing lookup (tool + cue) for react; names a mapping only when the deciding result was shown; vague at the usual rate', () => {
    const c = twoHop
    const [first] = chainOf(c.message)
    const shown = [{ tool: 'lookup_order', args: first!.args, observation: first!.observation }]
    let lookups = 0
    let vagueReact = 0
    for (let i = 0; i < 40; i++) {
      const a = advise(c.message, [], [], String(i))
      if (a.react?.includes('`lookup_order`') && a.react.includes(String(first!.args.orderId)) === a.react.includes('orderId')) lookups++
      else vagueReact++
      expect(a['extract.predict']).not.toMatch(/refund|reship|track\b|escalate/)
    }
    expect(lookups).toBeGreaterThan(24)
    expect(vagueReact).toBeGreaterThan(2)
    // Second hop: named once the first result (with its tracking number) is visible.
    const hop2 = Array.from({ length: 20 }, (_, i) => advise(c.message, shown, shown, `h${i}`).react ?? '')
    expect(hop2.filter((a) => a.includes('`track_parcel`')).length).toBeGreaterThan(10)
    const full = chainOf(c.message).map((s) => ({ tool: s.tool, args: s.args, observation: s.observation }))
    const maps = Array.from({ length: 20 }, (_, i) => advise(c.message, [], full, `m${i}`)['extract.predict'] ?? '')
    expect(maps.filter((a) => a.includes(c.gold)).length).toBeGreaterThan(10)
  })

  it('consolidation keeps one sentence per lookup for react and one rule per label for extract', () => {
    const consolidate = (fields: string, tips: string[]) => {
      const r = simulate(worlds, wireMessages({ inputs: ['module_instructions', 'module_fields', 'advice_tips', 'failed_cases'], outputs: ['consolidated_advice'], values: { module_instructions: BASE, module_fields: fields, advice_tips: JSON.stringify(tips), failed_cases: '[]' } }), undefined, T0)
      return field(r.content, 'consolidated_advice') ?? ''
    }
    const reactOut = consolidate('message, trajectory -> next_thought, next_tool_name, next_tool_args', [LOOKUP, 'Think harder.', LOOKUP.replace('orderId', 'the orderId'), TRACK])
    expect(reactOut.split('\n')).toEqual([LOOKUP, TRACK])
    const extractOut = consolidate('message, trajectory -> reasoning, resolution', ['When the `track_parcel` result says "lost", the resolution is reship.', 'A lookup that shows "cancelled" means refund is the right resolution.', 'A lookup that shows "damaged" means refund is the right resolution.', 'Be careful.'])
    expect(extractOut.split('\n')).toEqual(['When a lookup result says "cancelled" or "damaged", the resolution is refund.', 'When a lookup result says "lost", the resolution is reship.'])
  })
})

describe('tool world files', () => {
  it('tools serve the world data; a miss throws (an `Error:` observation for the agent)', async () => {
    const defs = worldToolDefinitions(world)
    expect(defs.map((d) => d.name)).toEqual(['lookup_order', 'track_parcel'])
    const [first] = chainOf(twoHop.message)
    expect(await defs[0]!.run(first!.args as Record<string, string>)).toEqual(first!.observation)
    await expect(defs[0]!.run({ orderId: 'Z-0000' })).rejects.toThrow('lookup_order: no record for orderId "Z-0000"')
    expect(() => runWorldTool(world, 'nope', {})).toThrow('unknown tool')
  })

  it('a case whose label contradicts its lookups, or a rule naming an unknown tool, is refused naming the path', () => {
    const raw = JSON.parse(JSON.stringify({ ...world, rules: [...world.lookups, ...world.mappings], lookups: undefined, mappings: undefined }))
    const bad = { ...raw, test: [{ message: twoHop.message, resolution: twoHop.gold === 'refund' ? 'track' : 'refund' }] }
    expect(() => parseWorld(bad, 'bad.json')).toThrow(/bad\.json[\s\S]*test\[0\]\.resolution: label/)
    const badTool = { ...raw, rules: [{ ...raw.rules[0], use: { tool: 'nope', arg: {} } }, ...raw.rules.slice(1)] }
    expect(() => parseWorld(badTool, 'bad.json')).toThrow(/rules\[0\]\.use\.tool: tool "nope"/)
    expect(() => parseWorld(raw, 'ok.json')).not.toThrow()
  })
})

describe('trajectory field (property)', () => {
  it('the simulator reads back every step ReAct writes (tool, arguments, observation), finish left out', async () => {
    const fc = await import('fast-check')
    const { trajectoryLines } = await import('../../src/core/react/react.js')
    const { parseTrajectory } = await import('../../src/testing/sim/agent.js')
    const text = fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ' '))
    const step = fc.record({
      thought: text,
      tool: fc.constantFrom('lookup_order', 'track_parcel', 'finish'),
      args: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 3 }),
      observation: fc.oneof(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 3 }), text.map((t) => `Error: ${t}`)),
    })
    fc.assert(
      fc.property(fc.array(step, { maxLength: 5 }), (steps) => {
        const lines = steps.flatMap((s, i) => trajectoryLines(i, { thought: s.thought, tool: s.tool, rawArgs: s.args, observation: typeof s.observation === 'string' ? s.observation : canonicalJson(s.observation) }))
        const read = parseTrajectory(lines.join('\n'))
        const expected = steps.filter((s) => s.tool !== 'finish').map((s) => ({ tool: s.tool, args: s.args, observation: typeof s.observation === 'string' ? s.observation : s.observation }))
        expect(read.map((r) => ({ ...r, args: canonicalJson(r.args), observation: typeof r.observation === 'string' ? r.observation.trim() : canonicalJson(r.observation) }))).toEqual(
          expected.map((e) => ({ ...e, args: canonicalJson(e.args), observation: typeof e.observation === 'string' ? e.observation.trim() : canonicalJson(e.observation) })),
        )
      }),
    )
  })
})
