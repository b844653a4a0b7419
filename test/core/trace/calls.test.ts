import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { evaluate } from '../../../src/core/evaluate/evaluate.js'
import { toExamples } from '../../../src/core/example/example.js'
import type { LMRequest } from '../../../src/core/lm/types.js'
import { withSettings } from '../../../src/core/module/settings.js'
import { Predict } from '../../../src/core/predict/predict.js'
import { ReAct } from '../../../src/core/react/react.js'
import { signature } from '../../../src/core/signature/signature.js'
import type { LMCallRecord, ToolCallRecord } from '../../../src/core/trace/calls.js'
import { runWithTrace } from '../../../src/core/trace/trace.js'
import { setToolCallHook } from '../../../src/core/tool/hook.js'
import { tool } from '../../../src/core/tool/tool.js'
import { chatReply, ScriptedLM } from '../helpers/scripted-lm.js'

const route = signature({ instructions: 'Route the ticket.', inputs: { ticket: z.string() }, outputs: { queue: z.enum(['billing', 'technical']) } })

describe('calls of a program run', () => {
  it('lists each LM call with predictor, messages (demos included), completion, parsed outputs, tokens and origin; nothing without `calls: true`', async () => {
    const p = new Predict(route, { demos: [{ ticket: 'refund please', queue: 'billing' }] })
    const lm = new ScriptedLM(chatReply({ queue: 'technical' }))
    const run = await withSettings({ lm }, () => runWithTrace(() => p.forward({ ticket: 'app crashes' }), { calls: true }))
    expect(run.calls).toHaveLength(1)
    const c = run.calls?.[0] as LMCallRecord
    expect(c).toMatchObject({ kind: 'lm', model: 'scripted', adapter: 'chat', completion: chatReply({ queue: 'technical' }), outputs: { queue: 'technical' }, origin: 'live' })
    expect(c.usage).toEqual({ promptTokens: 10, completionTokens: 5, totalTokens: 15 })
    expect(c.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user'])
    expect(c.messages[2]?.content).toContain('billing')
    expect(c.messages[3]?.content).toContain('app crashes')
    expect(c.parseError).toBeUndefined()
    const plain = await withSettings({ lm }, () => runWithTrace(() => p.forward({ ticket: 'app crashes' })))
    expect(plain.calls).toBeUndefined()
  })

  it('an unreadable reply: the parse error, then the JSON fallback call right after it; a failed call keeps its error', async () => {
    const p = new Predict(route)
    const lm = new ScriptedLM(['no markers here', '{"queue": "billing"}'])
    const run = await withSettings({ lm }, () => runWithTrace(() => p.forward({ ticket: 'refund' }), { calls: true }))
    const [first, second] = run.calls as LMCallRecord[]
    expect(first).toMatchObject({ adapter: 'chat', completion: 'no markers here' })
    expect(first?.parseError).toMatch(/self|Route|ticket|queue/)
    expect(first?.outputs).toBeUndefined()
    expect(second).toMatchObject({ adapter: 'json', outputs: { queue: 'billing' }, origin: 'live' })

    const failing = new ScriptedLM(() => Promise.reject(new Error('HTTP 418: no recording')))
    const bad = await withSettings({ lm: failing }, () => runWithTrace(() => p.forward({ ticket: 'x' }), { calls: true }))
    expect(bad.error).toBeDefined()
    expect(bad.calls?.[0]).toMatchObject({ kind: 'lm', error: 'HTTP 418: no recording' })
    expect((bad.calls?.[0] as LMCallRecord).completion).toBeUndefined()
  })

  it('concurrent predictors are listed in start order whatever order their answers arrive in', async () => {
    const a = new Predict(route, { name: 'a' })
    const b = new Predict(route, { name: 'b' })
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => (release = r))
    const lm = new ScriptedLM(async (req: LMRequest) => {
      // a's answer waits until b has answered.
      if ((req.messages.at(-1)?.content ?? '').includes('first')) await gate
      else setImmediate(release)
      return chatReply({ queue: 'billing' })
    })
    const run = await withSettings({ lm }, () => runWithTrace(() => Promise.all([a.forward({ ticket: 'first' }), b.forward({ ticket: 'second' })]), { calls: true }))
    expect((run.calls as LMCallRecord[]).map((c) => c.predictor)).toEqual(['a', 'b'])
  })

  it('an agent: react and extract calls, and each tool call with its arguments, result or error, replayed or live', async () => {
    const lookup = tool({ name: 'lookup_order', description: 'Order status.', args: z.object({ orderId: z.string() }), run: ({ orderId }) => ({ orderId, status: 'lost' }) })
    const agent = new ReAct(signature({ instructions: 'Resolve.', inputs: { message: z.string() }, outputs: { resolution: z.string() } }), { tools: [lookup], maxIters: 6 })
    const turns = [
      { next_thought: 'look it up', next_tool_name: 'lookup_order', next_tool_args: { orderId: 'A-1' } },
      { next_thought: 'again, from the recording', next_tool_name: 'lookup_order', next_tool_args: { orderId: 'A-2' } },
      { next_thought: 'bad args', next_tool_name: 'lookup_order', next_tool_args: { order: 1 } },
      { next_thought: 'no such tool', next_tool_name: 'cancel_order', next_tool_args: {} },
      { next_thought: 'done', next_tool_name: 'finish', next_tool_args: {} },
    ]
    let turn = 0
    const lm = new ScriptedLM((r) => ((r.messages[0]?.content ?? '').includes('next_tool_name') ? chatReply(turns[turn++] ?? {}) : chatReply({ reasoning: 'r', resolution: 'refund' })))
    // A hook that answers A-2 from a "recording" and runs the rest live.
    const previous = setToolCallHook(async (req) => (req.args['orderId'] === 'A-2' ? { ok: true, value: { orderId: 'A-2', status: 'delivered' } } : req.live()))
    try {
      const [result] = (await evaluate(agent, toExamples([{ message: 'where is A-1?', resolution: 'refund' }], ['message']), () => 1, { settings: { lm }, captureCalls: true })).cases
      const calls = result?.calls ?? []
      expect(calls.map((c) => (c.kind === 'lm' ? `lm:${c.predictor}` : `tool:${c.tool}`))).toEqual([
        'lm:react', 'tool:lookup_order', 'lm:react', 'tool:lookup_order', 'lm:react', 'tool:lookup_order', 'lm:react', 'tool:cancel_order', 'lm:react', 'lm:extract.predict',
      ])
      const tools = calls.filter((c): c is ToolCallRecord => c.kind === 'tool')
      expect(tools[0]).toMatchObject({ args: { orderId: 'A-1' }, result: '{"orderId":"A-1","status":"lost"}', origin: 'live' })
      expect(tools[1]).toMatchObject({ args: { orderId: 'A-2' }, result: '{"orderId":"A-2","status":"delivered"}', origin: 'replayed' })
      expect(tools[2]).toMatchObject({ args: { order: 1 }, origin: 'not-run' })
      expect(tools[2]?.error).toMatch(/^invalid arguments for lookup_order/)
      expect(tools[3]).toMatchObject({ tool: 'cancel_order', origin: 'not-run' })
      expect(tools[3]?.error).toMatch(/^unknown tool "cancel_order"/)
    } finally {
      setToolCallHook(previous)
    }
  })
})
