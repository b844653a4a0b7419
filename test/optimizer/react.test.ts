/**
 * SIMBA on a ReAct agent, against a scripted LM: the agent answers right only after looking the
 * order up, which it does once a rule or a demo trajectory shows it. Both modes must produce a
 * valid state for `react` and `extract.predict`.
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Example } from '../../src/core/example/example.js'
import { ReAct } from '../../src/core/react/react.js'
import { signature } from '../../src/core/signature/signature.js'
import { tool } from '../../src/core/tool/tool.js'
import { runWithTrace } from '../../src/core/trace/trace.js'
import { simba } from '../../src/optimizer/simba/simba.js'
import { appendADemo } from '../../src/optimizer/simba/strategies/append-demo.js'
import type { StrategyContext } from '../../src/optimizer/simba/strategies/types.js'
import { withSettings } from '../../src/core/module/settings.js'
import { block, chatReply, hash, ScriptedLM, type CallInfo } from './scripted-lm.js'

const resolve = signature({
  instructions: 'Decide how to resolve the customer message.',
  inputs: { message: z.string() },
  outputs: { resolution: z.enum(['refund', 'track']) },
})

const statusOf = (id: string): string => (hash(id) % 2 === 0 ? 'lost' : 'delivered')
const lookup = tool({
  name: 'lookup_order',
  description: 'Status of an order, by order number.',
  args: z.object({ orderId: z.string() }),
  run: ({ orderId }) => ({ status: statusOf(orderId) }),
})
const agent = () => new ReAct(resolve, { tools: [lookup], maxIters: 3 })

const RULE = 'Always call lookup_order with the order number from the message first.'

function reply(i: CallInfo): string {
  if (i.system.includes('module_advice')) {
    const names = JSON.parse(block(i.last, 'module_names') ?? '[]') as string[]
    return chatReply({ discussion: 'The better run looked the order up.', module_advice: Object.fromEntries(names.map((n) => [n, n === 'react' ? RULE : 'Answer refund for lost orders.'])) })
  }
  if (i.system.includes('consolidated_advice')) return chatReply({ consolidated_advice: RULE })
  const message = block(i.last, 'message') ?? ''
  const id = /order ([A-Z]-\d+)/.exec(message)?.[1] ?? ''
  const trajectory = block(i.last, 'trajectory') ?? ''
  if (i.system.includes('next_tool_name')) {
    const knows = i.system.includes(RULE) || i.request.messages.length > 2
    const lucky = i.rolloutId !== undefined && i.temperature > 0.5 && hash(`${i.rolloutId}:${id}`) % 3 === 0
    if (trajectory === '' && (knows || lucky)) return chatReply({ next_thought: 'Look it up.', next_tool_name: 'lookup_order', next_tool_args: { orderId: id } })
    return chatReply({ next_thought: 'Done.', next_tool_name: 'finish', next_tool_args: {} })
  }
  return chatReply({ reasoning: 'From the trajectory.', resolution: trajectory.includes('"lost"') ? 'refund' : 'track' })
}

const trainset = Array.from({ length: 12 }, (_, i) => {
  const id = `A-${1000 + i * 7}`
  return new Example({ message: `Where is my order ${id}? It has been a while.`, resolution: statusOf(id) === 'lost' ? 'refund' : 'track' }, ['message'], `case-${i}`)
})
const metric = (ex: Example, pred: { resolution?: string; trajectory?: unknown[] }) => (pred.resolution === ex.data.resolution ? 1 : 0)

describe('SIMBA on a ReAct agent', () => {
  for (const mode of ['improved', 'faithful'] as const) {
    it(`${mode} mode optimizes it into a valid react / extract.predict state`, async () => {
      const lm = new ScriptedLM({ reply })
      const before = (await Promise.all(trainset.map((ex) => withSettings({ lm }, () => agent().forward(ex.inputs() as { message: string }))))).filter((p, i) => metric(trainset[i]!, p) === 1).length
      // The reflective start would learn the rule before any step; this test is about the steps' rule writer.
      const res = await simba(agent(), { mode, trainset, lm, metric, bsize: 6, numCandidates: 3, maxSteps: 3, seed: 2, demoInputFieldMaxlen: 60, reflectiveStart: false })
      expect(res.score).toBeGreaterThan(before / trainset.length)
      const state = res.program.state()
      expect(Object.keys(state)).toEqual(['react', 'extract.predict'])
      const fresh = agent().loadState(JSON.parse(JSON.stringify(state)))
      expect(fresh.state()).toEqual(state)
      // The rule writer is shown whole trajectories (every react turn and its observation), not truncated ones.
      const writer = lm.family.calls.filter((c) => c.system.includes('module_advice'))
      expect(writer.length).toBeGreaterThan(0)
      expect(writer.some((c) => /observation_0: \{\\"status\\":\\"(lost|delivered)\\"\}\\nthought_1: Done\.\\ntool_name_1: finish/.test(c.last))).toBe(true)
      const learned = state.react!.instructions.includes(RULE) || state.react!.demos.length > 0
      expect(learned).toBe(true)
      for (const d of state.react!.demos) {
        expect(Object.keys(d).sort()).toEqual(['augmented', 'message', 'next_thought', 'next_tool_args', 'next_tool_name', 'trajectory'])
        expect(String(d.trajectory).length).toBeLessThanOrEqual(60 + 40)
      }
    })
  }

  it('appendADemo keeps the last react call (with its full trajectory, truncated) and the extract call', async () => {
    const lm = new ScriptedLM({ reply: (i) => reply({ ...i, system: `${i.system}\n${RULE}` }) })
    const program = agent()
    const ex = trainset[0]!
    const run = await runWithTrace(() => withSettings({ lm }, () => program.forward(ex.inputs() as { message: string })))
    expect(run.trace.map((s) => s.predictor)).toEqual([program.react, program.react, program.extract.predict])
    const candidate = program.clone()
    const names = new Map(program.namedPredictors().map(([n, p]) => [p, n]))
    const ctx = {
      bucket: [{ score: 1, trace: run.trace, prediction: run.result, example: ex, outputMetadata: {} }],
      p10: 0,
      p90: 1,
      candidate,
      demoInputFieldMaxlen: 30,
      nameOf: (p: unknown) => names.get(p as never),
    } as unknown as StrategyContext
    expect(await appendADemo(ctx)).toEqual({ status: 'applied' })
    const demo = candidate.react.demos[0]!
    expect(candidate.react.demos).toHaveLength(1)
    expect(demo.next_tool_name).toBe('finish')
    expect(demo.trajectory).toBe('thought_0: Look it up.\ntool_na\n\t\t... <TRUNCATED FOR BREVITY>')
    expect(candidate.extract.predict.demos[0]).toMatchObject({ resolution: ex.data.resolution })
  })
})
