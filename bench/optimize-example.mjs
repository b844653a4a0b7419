#!/usr/bin/env node
/**
 * Whole-run benchmark on the bundled example: SIMBA on the support-tickets router against the
 * simulated provider over real HTTP on 127.0.0.1, with the example's settings (bsize 32, N 6,
 * 16 steps, seed 0). Reports held-out accuracy before/after, LM calls and wall time, for our
 * concurrent schedule and for DSPy's sequential one, side by side in one run.
 * BENCH_EXAMPLE_STEPS overrides the 16 steps (`npm run bench` uses 6 to stay within its time).
 * BENCH_TASK_MS / BENCH_RULE_MS add simulated latency (default 20 ms / 100 ms) so scheduling,
 * not CPU, dominates, as it does against a hosted model.
 * Run after a build: `npm run build && node bench/optimize-example.mjs`.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { evaluate, LM, Module, Predict, signature, simba, toExamples } from '../dist/index.js'
import { startSimulator } from '../dist/testing.js'
import { emit } from './lib.mjs'

const worldFile = fileURLToPath(new URL('../examples/worlds/support-tickets.json', import.meta.url))
const world = JSON.parse(readFileSync(worldFile, 'utf8'))
const taskMs = Number(process.env.BENCH_TASK_MS ?? 20)
const ruleMs = Number(process.env.BENCH_RULE_MS ?? 100)
const steps = Number(process.env.BENCH_EXAMPLE_STEPS ?? 16)

// Same shape as examples/support-tickets/program.ts (that file is TypeScript; this is plain Node).
const extract = signature({
  instructions: 'Read the support ticket and list the facts that matter for deciding who should handle it.',
  inputs: { ticket: z.string().describe('The customer message, verbatim') },
  outputs: { facts: z.string().describe('Key facts and phrases from the ticket, one short phrase each') },
})
const route = signature({
  instructions: 'Choose the support queue that should handle this ticket.',
  inputs: { ticket: z.string().describe('The customer message, verbatim'), facts: z.string().describe('Key facts extracted from the ticket') },
  outputs: { queue: z.enum(world.labels).describe('The queue that handles this ticket') },
})
class TicketRouter extends Module {
  extract = new Predict(extract)
  route = new Predict(route)
  async forward({ ticket }) {
    const { facts } = await this.extract.forward({ ticket })
    return this.route.forward({ ticket, facts })
  }
}
const metric = (ex, p) => (p.queue === ex.data.queue ? 1 : { score: 0, feedback: `belongs in ${ex.data.queue}` })
const trainset = toExamples(world.train, ['ticket'])
const devset = toExamples(world.test, ['ticket'])

async function run(schedule) {
  const sim = await startSimulator({ worlds: [world], latency: { taskMs, ruleMs } })
  try {
    const lm = new LM({ model: 'gpt-4o-mini', baseURL: sim.url, sendRolloutHeader: true, concurrency: 64 })
    const program = new TicketRouter().setLM(lm)
    const before = await evaluate(program, devset, metric, { concurrency: 32 })
    const t0 = performance.now()
    const result = await simba(program, { trainset, metric, lm, seed: 0, bsize: 32, numCandidates: 6, maxSteps: steps, concurrency: 64, schedule })
    const seconds = (performance.now() - t0) / 1000
    const after = await evaluate(result.program, devset, metric, { concurrency: 32 })
    return { schedule, seconds, before: before.mean, after: after.mean, calls: lm.usage().calls, state: JSON.stringify(result.program.state()) }
  } finally {
    await sim.close()
  }
}

const ours = await run('concurrent')
const dspy = await run('sequential')
console.table(
  [ours, dspy].map((r) => ({
    schedule: r.schedule,
    'wall s': r.seconds.toFixed(2),
    'LM calls': r.calls,
    'held-out before': r.before.toFixed(3),
    'held-out after': r.after.toFixed(3),
  })),
)
console.log(`latency: task ${taskMs} ms, rule-writing ${ruleMs} ms; ${steps} steps`)
console.log(`sequential ÷ concurrent wall time: ${(dspy.seconds / ours.seconds).toFixed(2)}x`)
console.log(`same program from both schedules: ${ours.state === dspy.state}`)
emit({
  example_steps: steps,
  example_speedup_vs_sequential: dspy.seconds / ours.seconds,
  example_heldout_before: ours.before,
  example_heldout_after: ours.after,
  example_lm_calls: ours.calls,
})
