/**
 * Type tests, checked by `tsc` (`npm run typecheck`, run in CI): each `@ts-expect-error` line must
 * fail to compile, each `expectTypeOf` must hold. Nothing here runs.
 */
import { expectTypeOf } from 'vitest'
import { z } from 'zod'
import { ChainOfThought, describe, field, Module, Predict, signature, type InferInputs } from '../../src/index.js'

const route = signature({
  instructions: 'Route the ticket.',
  inputs: {
    ticket: field(z.string(), "The customer's message"),
    locale: z.string().optional(),
    channel: z.enum(['email', 'chat']).default('email'),
  },
  outputs: { queue: z.enum(['billing', 'technical']), note: z.string().optional() },
})
const rows = [{ id: 'a', ticket: 'I was charged twice', queue: 'billing' as const }]

export function typeTests(): void {
  // Optional and defaulted zod fields are optional keys of forward's input; required ones are not.
  expectTypeOf<InferInputs<typeof route>>().toEqualTypeOf<{ ticket: string; locale?: string | undefined; channel?: 'email' | 'chat' | undefined }>()
  const predict = new Predict(route)
  void predict.forward({ ticket: 'x' })
  // @ts-expect-error a required input is missing
  void predict.forward({ locale: 'de' })

  // The metric's prediction is the program's forward output.
  describe.optimize('routes tickets', {
    program: () => new Predict(route),
    trainset: rows,
    inputs: ['ticket'],
    metric: (ex, pred) => {
      expectTypeOf(pred).toEqualTypeOf<{ queue: 'billing' | 'technical'; note?: string | undefined }>()
      expectTypeOf(ex.queue).toEqualTypeOf<'billing'>()
      return pred.queue === ex.data.queue
    },
  })
  describe.optimize('a typo in the prediction', {
    program: () => new Predict(route),
    trainset: rows,
    // @ts-expect-error `queeu` is not an output of the program
    metric: (ex, pred) => pred.queeu === ex.queue,
  })
  // An async factory and ChainOfThought (whose output adds `reasoning`).
  describe.optimize('chain of thought', {
    program: async () => new ChainOfThought(route),
    trainset: rows,
    metric: (_ex, pred) => {
      expectTypeOf(pred.reasoning).toEqualTypeOf<string>()
      return pred.queue === 'billing'
    },
  })
  // A Module subclass: the prediction is its forward output.
  class Router extends Module<{ ticket: string }, { queue: string; confidence: number }> {
    classify = new Predict(route)
    async forward(i: { ticket: string }): Promise<{ queue: string; confidence: number }> {
      const r = await this.classify.forward(i)
      return { queue: r.queue, confidence: 1 }
    }
  }
  describe.optimize('module subclass', {
    program: () => new Router(),
    trainset: rows,
    metric: (_ex, pred) => {
      expectTypeOf(pred).toEqualTypeOf<{ queue: string; confidence: number }>()
      return pred.confidence
    },
  })

  // `inputs` names keys of the rows.
  describe.optimize('inputs are row keys', {
    program: () => new Predict(route),
    trainset: rows,
    // @ts-expect-error `tikcet` is not a key of the rows
    inputs: ['tikcet'],
    metric: () => 1,
  })

  // A plain async function program: the prediction is its return type.
  describe.optimize('plain function', {
    program: async ({ q }: { q: string }) => ({ a: q.toUpperCase(), n: q.length }),
    inputs: ['q'],
    trainset: [{ id: 'one', q: 'hello', a: 'HELLO' }],
    metric: (ex, pred) => {
      expectTypeOf(pred).toEqualTypeOf<{ a: string; n: number }>()
      return pred.a === ex.data.a
    },
  })
  describe.optimize('plain function typo', {
    program: async ({ q }: { q: string }) => ({ a: q.toUpperCase() }),
    inputs: ['q'],
    trainset: [{ id: 'one', q: 'hello', a: 'HELLO' }],
    // @ts-expect-error `b` is not returned by the program
    metric: (_ex, pred) => pred.b === 'HELLO',
  })
}
