/**
 * Type-level tests: Vitest type-checks this file (typecheck in vitest.config.ts), so a wrong
 * inferred type fails `npm test`. Runtime behaviour of the same APIs is tested in the sibling
 * *.test.ts files.
 */
import { describe, expectTypeOf, test } from 'vitest'
import { z } from 'zod'
import { Example, toExamples } from '../../src/core/example/example.js'
import { ChainOfThought } from '../../src/core/predict/chain-of-thought.js'
import { Predict } from '../../src/core/predict/predict.js'
import { field } from '../../src/core/signature/field.js'
import { signature, type InferInputs, type InferOutputs, type Prediction } from '../../src/core/signature/signature.js'
import { ReAct, type TrajectoryStep } from '../../src/core/react/react.js'
import { tool } from '../../src/core/tool/tool.js'
import type { PredictionOf } from '../../src/vitest/runtime/block-options.js'

const sig = signature({
  instructions: 'Route the ticket.',
  inputs: { ticket: field(z.string(), 'The message') },
  outputs: { queue: z.enum(['billing', 'technical']) },
})

describe('signature', () => {
  test('infers input and output value types from zod schemas and from the short form', () => {
    const s = signature({ inputs: { n: z.number() }, outputs: { ok: z.boolean(), q: z.enum(['a', 'b']) } })
    expectTypeOf<InferInputs<typeof s>>().toEqualTypeOf<{ n: number }>()
    expectTypeOf<Prediction<typeof s>>().toEqualTypeOf<{ ok: boolean; q: 'a' | 'b' }>()
    const short = signature('question, context -> answer')
    expectTypeOf<InferInputs<typeof short>>().toEqualTypeOf<{ question: string; context: string }>()
    expectTypeOf<InferOutputs<typeof short>>().toEqualTypeOf<{ answer: string }>()
  })
})

describe('Predict', () => {
  test('forward takes the signature inputs and resolves to its outputs', () => {
    const p = new Predict(sig)
    expectTypeOf(p.forward).parameter(0).toEqualTypeOf<{ ticket: string }>()
    expectTypeOf(p.forward).returns.resolves.toEqualTypeOf<{ queue: 'billing' | 'technical' }>()
    // @ts-expect-error wrong input key
    void (() => p.forward({ tix: 'x' }))
    const short = new Predict(signature('question, context -> answer'))
    expectTypeOf(short.forward).parameter(0).toEqualTypeOf<{ question: string; context: string }>()
  })

  test('ChainOfThought adds a string reasoning output', () => {
    const cot = new ChainOfThought(sig)
    expectTypeOf(cot.forward).returns.resolves.toEqualTypeOf<{ reasoning: string } & { queue: 'billing' | 'technical' }>()
  })
})

describe('Example', () => {
  test('inputs() is typed by the input keys', () => {
    const [ex] = toExamples([{ ticket: 'x', queue: 'billing' }], ['ticket'])
    expectTypeOf(ex!).toExtend<Example>()
    expectTypeOf(ex!.inputs()).toEqualTypeOf<{ ticket: string }>()
  })
})

describe('tools and ReAct', () => {
  test('a tool types its run arguments from its zod schema; an agent returns the outputs plus its trajectory', () => {
    const lookup = tool({
      name: 'lookup',
      description: 'Looks an order up.',
      args: z.object({ orderId: z.string(), page: z.number().default(1) }),
      run: (args) => {
        expectTypeOf(args).toEqualTypeOf<{ orderId: string; page: number }>()
        return args.orderId
      },
    })
    const agent = new ReAct(sig, { tools: [lookup] })
    expectTypeOf(agent.forward).parameter(0).toEqualTypeOf<{ ticket: string }>()
    type Out = Awaited<ReturnType<typeof agent.forward>>
    expectTypeOf<Out['queue']>().toEqualTypeOf<'billing' | 'technical'>()
    expectTypeOf<Out['trajectory']>().toEqualTypeOf<TrajectoryStep[]>()
    // describe.optimize's metric sees the same prediction type.
    expectTypeOf<PredictionOf<() => typeof agent>['trajectory']>().toEqualTypeOf<TrajectoryStep[]>()
  })
})
