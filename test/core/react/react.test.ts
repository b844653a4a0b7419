import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { SimbaError } from '../../../src/errors.js'
import { runWithTrace } from '../../../src/core/trace/trace.js'
import { withSettings } from '../../../src/core/module/settings.js'
import { promptFingerprint } from '../../../src/core/module/fingerprint.js'
import { signature } from '../../../src/core/signature/signature.js'
import type { LMRequest } from '../../../src/core/lm/types.js'
import { ReAct } from '../../../src/core/react/react.js'
import { setToolCallHook } from '../../../src/core/tool/hook.js'
import { tool } from '../../../src/core/tool/tool.js'
import { sourceOf } from '../../../src/snapshot/source.js'
import { chatReply, lastUser, ScriptedLM } from '../helpers/scripted-lm.js'

const resolve = signature({
  instructions: 'Decide how to resolve the customer message.',
  inputs: { message: z.string() },
  outputs: { resolution: z.enum(['refund', 'reship', 'track', 'escalate']) },
})

const orders: Record<string, unknown> = { 'A-1042': { status: 'lost', carrier: 'ups' }, 'A-2210': { carrier: 'dhl', status: 'delivered' } }
const lookupOrder = tool({
  name: 'lookup_order',
  description: 'Status and carrier of an order, by order number.',
  args: z.object({ orderId: z.string().describe('The order number') }),
  run: ({ orderId }) => {
    if (!(orderId in orders)) throw new Error(`no order ${orderId}`)
    return orders[orderId]
  },
})

const isReact = (r: LMRequest): boolean => (r.messages[0]?.content ?? '').includes('next_tool_name')

/** An LM that plays the given react turns in order, then answers extract with `resolution`. */
function agentLM(turns: Array<Record<string, unknown> | string>, resolution = 'refund'): ScriptedLM {
  let turn = 0
  return new ScriptedLM((request) => {
    if (isReact(request)) {
      const t = turns[turn++] ?? { next_thought: 'done', next_tool_name: 'finish', next_tool_args: {} }
      return typeof t === 'string' ? t : chatReply(t)
    }
    return chatReply({ reasoning: 'from the trajectory', resolution })
  })
}

const message = 'Where is my order A-1042?'

describe('ReAct', () => {
  it('builds the react instructions exactly as documented (the layout the simulator reads)', () => {
    const agent = new ReAct(resolve, { tools: [lookupOrder] })
    expect(agent.react.instructions).toBe(
      [
        'Decide how to resolve the customer message.',
        '',
        'You are an agent. In each turn you see the input fields and the trajectory so far, and you choose the next tool to call. When you have what you need to produce the outputs (`resolution`), call `finish`.',
        'Tools:',
        '(1) `lookup_order`: Status and carrier of an order, by order number. Arguments: {"orderId":{"description":"The order number","type":"string"}}',
        '(2) `finish`: Signal that the task is complete. Arguments: {}',
      ].join('\n'),
    )
    expect(agent.namedPredictors().map(([n]) => n)).toEqual(['react', 'extract.predict'])
    expect(agent.react.signature.inputFields.map((f) => f.name)).toEqual(['message', 'trajectory'])
    expect(agent.react.signature.outputFields.map((f) => f.name)).toEqual(['next_thought', 'next_tool_name', 'next_tool_args'])
    expect(agent.extract.predict.signature.outputFields.map((f) => f.name)).toEqual(['reasoning', 'resolution'])
    expect(agent.extract.predict.instructions).toBe('Decide how to resolve the customer message.')
  })

  it('shows the tool names as the enum of next_tool_name in the prompt', async () => {
    const lm = agentLM([])
    await withSettings({ lm }, () => new ReAct(resolve, { tools: [lookupOrder] }).forward({ message }))
    expect(lm.requests[0]!.messages[0]!.content).toContain('`next_tool_name` (one of: lookup_order, finish)')
  })

  it('runs the loop, calls the tool, extracts the answer and returns the trajectory', async () => {
    const lm = agentLM([
      { next_thought: 'Look the order up.', next_tool_name: 'lookup_order', next_tool_args: { orderId: 'A-1042' } },
      { next_thought: 'It is lost.\nRefund.', next_tool_name: 'finish', next_tool_args: {} },
    ])
    const agent = new ReAct(resolve, { tools: [lookupOrder] })
    const { result, trace, error } = await runWithTrace(() => withSettings({ lm }, () => agent.forward({ message })))
    expect(error).toBeUndefined()
    expect(result).toEqual({
      resolution: 'refund',
      trajectory: [
        { thought: 'Look the order up.', tool: 'lookup_order', args: { orderId: 'A-1042' }, observation: '{"carrier":"ups","status":"lost"}' },
        { thought: 'It is lost.\nRefund.', tool: 'finish', args: {}, observation: 'Completed.' },
      ],
    })
    const expected = [
      'thought_0: Look the order up.',
      'tool_name_0: lookup_order',
      'tool_args_0: {"orderId":"A-1042"}',
      'observation_0: {"carrier":"ups","status":"lost"}',
      'thought_1: It is lost. Refund.',
      'tool_name_1: finish',
      'tool_args_1: {}',
      'observation_1: Completed.',
    ].join('\n')
    expect(lm.requests.length).toBe(3)
    expect(lastUser(lm.requests[1]!)).toContain('[[ ## trajectory ## ]]\nthought_0: Look the order up.')
    expect(lastUser(lm.requests[2]!)).toContain(`[[ ## trajectory ## ]]\n${expected}`)
    // every react iteration is a trace step, then extract
    expect(trace.map((s) => s.predictor)).toEqual([agent.react, agent.react, agent.extract.predict])
    expect(trace[0]!.inputs).toEqual({ message, trajectory: '' })
    expect(trace[1]!.outputs).toEqual({ next_thought: 'It is lost.\nRefund.', next_tool_name: 'finish', next_tool_args: {} })
    expect(trace[2]!.inputs).toEqual({ message, trajectory: expected })
  })

  it('turns a thrown error, invalid arguments, an unknown tool and unreadable arguments into observations', async () => {
    const lm = agentLM([
      { next_thought: 'a', next_tool_name: 'lookup_order', next_tool_args: { orderId: 'Z-9' } },
      { next_thought: 'b', next_tool_name: 'lookup_order', next_tool_args: { orderId: 42 } },
      { next_thought: 'c', next_tool_name: 'search_web', next_tool_args: { q: 'x' } },
      '[[ ## next_thought ## ]]\nd\n\n[[ ## next_tool_name ## ]]\nlookup_order\n\n[[ ## next_tool_args ## ]]\n{orderId: A-1042\n\n[[ ## completed ## ]]',
      { next_thought: 'e', next_tool_name: 'finish', next_tool_args: {} },
    ])
    const pred = await withSettings({ lm }, () => new ReAct(resolve, { tools: [lookupOrder] }).forward({ message }))
    expect(pred.trajectory.map((s) => s.observation)).toEqual([
      'Error: no order Z-9',
      'Error: invalid arguments for lookup_order: orderId: Invalid input: expected string, received number',
      'Error: unknown tool "search_web"; available: lookup_order, finish',
      'Error: invalid arguments for lookup_order: expected a JSON object of arguments, got {orderId: A-1042',
      'Completed.',
    ])
    expect(pred.resolution).toBe('refund')
  })

  it('extracts the answer after maxIters turns without finish', async () => {
    const turn = { next_thought: 'again', next_tool_name: 'lookup_order', next_tool_args: { orderId: 'A-2210' } }
    const lm = agentLM([turn, turn, turn, turn, turn], 'track')
    const pred = await withSettings({ lm }, () => new ReAct(resolve, { tools: [lookupOrder], maxIters: 3 }).forward({ message }))
    expect(pred.trajectory).toHaveLength(3)
    expect(pred.trajectory.every((s) => s.tool === 'lookup_order')).toBe(true)
    expect(lm.requests.filter(isReact)).toHaveLength(3)
    expect(pred.resolution).toBe('track')
  })

  it('ends the loop when a react reply cannot be read, and still answers', async () => {
    const lm = agentLM(['no markers at all'], 'escalate')
    const pred = await withSettings({ lm, jsonFallback: false }, () => new ReAct(resolve, { tools: [lookupOrder] }).forward({ message }))
    expect(pred).toEqual({ resolution: 'escalate', trajectory: [] })
  })

  it('accepts a tool name in another case or quoted', async () => {
    const lm = agentLM([{ next_thought: 'a', next_tool_name: '`Lookup_Order`', next_tool_args: { orderId: 'A-2210' } }])
    const pred = await withSettings({ lm }, () => new ReAct(resolve, { tools: [lookupOrder] }).forward({ message }))
    expect(pred.trajectory[0]).toMatchObject({ tool: 'lookup_order', observation: '{"carrier":"dhl","status":"delivered"}' })
  })

  it('validates its definition with clear errors', () => {
    const other = tool({ name: 'lookup_order', description: 'Again.', args: z.object({}), run: () => 1 })
    expect(() => new ReAct(resolve, { tools: [lookupOrder, other] })).toThrow(/two tools are named "lookup_order"/)
    expect(() => new ReAct(resolve, { tools: [{ name: 'x' } as never] })).toThrow(/tools\[0\] is not a tool/)
    expect(() => new ReAct(resolve, { tools: [], maxIters: 0 })).toThrow(/maxIters must be a whole number >= 1/)
    expect(() => new ReAct(signature('trajectory -> answer'), { tools: [] })).toThrow(/field "trajectory" clashes/)
    expect(() => new ReAct(resolve, {} as never)).toThrow(SimbaError)
  })

  it('makes tool names, descriptions and argument schemas part of the fingerprints', () => {
    const make = (description: string, args = z.object({ orderId: z.string().describe('The order number') })) =>
      new ReAct(resolve, { tools: [tool({ name: 'lookup_order', description, args, run: () => 1 })] })
    const a = make('Status of an order.')
    const b = make('Status and carrier of an order.')
    const c = make('Status of an order.', z.object({ orderId: z.string().describe('The order id') }))
    expect(sourceOf(a).hash).toBe(sourceOf(make('Status of an order.')).hash)
    expect(sourceOf(b).hash).not.toBe(sourceOf(a).hash)
    expect(sourceOf(c).hash).not.toBe(sourceOf(a).hash)
    expect(promptFingerprint(b)).not.toBe(promptFingerprint(a))
    const renamed = new ReAct(resolve, { tools: [tool({ name: 'find_order', description: 'Status of an order.', args: z.object({ orderId: z.string().describe('The order number') }), run: () => 1 })] })
    expect(sourceOf(renamed).hash).not.toBe(sourceOf(a).hash)
  })

  it('has a state with react and extract.predict, and clones independently', () => {
    const agent = new ReAct(resolve, { tools: [lookupOrder] })
    const state = agent.state()
    expect(Object.keys(state)).toEqual(['react', 'extract.predict'])
    const copy = agent.clone()
    copy.react.instructions += '\nAlways look the order up.'
    expect(agent.react.instructions).not.toContain('Always look')
    expect(copy.tools[0]).toBe(lookupOrder)
    copy.loadState(state)
    expect(copy.react.instructions).toBe(agent.react.instructions)
  })

  it('routes recorded tools through the tool-call hook and lets its errors fail the run', async () => {
    const calc = tool({ name: 'add', description: 'Adds.', args: z.object({ a: z.number(), b: z.number().default(1) }), run: ({ a, b }) => a + b, record: false })
    const seen: unknown[] = []
    const previous = setToolCallHook(async (req) => {
      seen.push([req.tool, req.args])
      if (req.args.orderId === 'A-2210') throw new SimbaError('SIMBA_FIXTURE_MISSING', 'no recording')
      return req.live()
    })
    try {
      const lm = agentLM([
        { next_thought: 'a', next_tool_name: 'add', next_tool_args: { a: 1 } },
        { next_thought: 'b', next_tool_name: 'lookup_order', next_tool_args: { orderId: 'A-1042' } },
      ])
      const pred = await withSettings({ lm }, () => new ReAct(resolve, { tools: [calc, lookupOrder] }).forward({ message }))
      expect(pred.trajectory.map((s) => s.observation)).toEqual(['2', '{"carrier":"ups","status":"lost"}', 'Completed.'])
      expect(seen).toEqual([['lookup_order', { orderId: 'A-1042' }]])
      const failing = agentLM([{ next_thought: 'b', next_tool_name: 'lookup_order', next_tool_args: { orderId: 'A-2210' } }])
      await expect(withSettings({ lm: failing }, () => new ReAct(resolve, { tools: [lookupOrder] }).forward({ message }))).rejects.toThrow(/no recording/)
    } finally {
      setToolCallHook(previous)
    }
  })
})
