/**
 * The second task world (expense categories: two inputs, a different label set) end to end:
 * a one-predictor ChainOfThought program, optimized by SIMBA against the simulator over real HTTP.
 * Guards against tuning anything to the support-tickets example only.
 */
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { ChainOfThought } from '../../src/core/predict/chain-of-thought.js'
import { signature } from '../../src/core/signature/signature.js'
import { LM } from '../../src/core/lm/lm.js'
import { toExamples } from '../../src/core/example/example.js'
import { evaluate } from '../../src/core/evaluate/evaluate.js'
import { simba } from '../../src/optimizer/simba/simba.js'
import { startSimulator, type Simulator } from '../../src/testing/sim/server.js'

const file = fileURLToPath(new URL('../../examples/worlds/expense-categories.json', import.meta.url))
const world = JSON.parse(readFileSync(file, 'utf8')) as {
  labels: [string, ...string[]]
  train: Array<Record<string, string>>
  test: Array<Record<string, string>>
}
let sim: Simulator

beforeAll(async () => {
  sim = await startSimulator({ worlds: [file] })
})
afterAll(async () => {
  await sim.close()
})

const categorize = signature({
  instructions: 'Assign the expense line to an accounting category.',
  inputs: { vendor: z.string(), line_item: z.string().describe('The invoice line as written') },
  outputs: { category: z.enum(world.labels) },
})
const metric = (ex: { data: Record<string, unknown> }, p: { category: string }) =>
  p.category === ex.data.category ? 1 : { score: 0, feedback: `expected ${String(ex.data.category)}` }

test('SIMBA raises the held-out score on the expense-categories world', async () => {
  const lm = new LM({ model: 'sim-expenses', baseURL: sim.url, apiKey: 'test', sendRolloutHeader: true, concurrency: 32 })
  const program = new ChainOfThought(categorize)
  program.setLM(lm)
  const train = toExamples(world.train, ['vendor', 'line_item'])
  const dev = toExamples(world.test, ['vendor', 'line_item'])
  const before = await evaluate(program, dev, metric)
  const result = await simba(program, { trainset: train, valset: train, metric, lm, seed: 0, bsize: 16, maxSteps: 5, concurrency: 32 })
  const after = await evaluate(result.program, dev, metric)
  if (process.env.SIMBA_VERBOSE) console.log(`expense world: held-out ${before.mean} -> ${after.mean}`)
  expect(after.mean).toBeGreaterThan(before.mean + 0.15)
  // The caller's program is untouched; the optimized one carries what SIMBA learned.
  expect(program.state()).toEqual(new ChainOfThought(categorize).state())
  const learned = result.program.state()['predict']!
  expect(learned.instructions.length + learned.demos.length).toBeGreaterThan(categorize.instructions.length)
})
