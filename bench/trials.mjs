#!/usr/bin/env node
/**
 * Noise-aware verdicts benchmark, on the support-tickets world at temperature 0.7 against the
 * simulated provider on 127.0.0.1 (it samples each rollout id afresh at temperature >= 0.5).
 * The program knows every rule of the world (its instructions state them); the degraded program
 * forgets one (its cases are ~18.5% of the set, so its true accuracy drops by about 10 points; the
 * measured drop is printed and stored). Run 0 of the full program is the baseline; runs 1..RUNS are re-records (fresh trial
 * ids through `trialOffset`), each gated against run 0 the way `describe.optimize` gates:
 * - trials_false_alarm_rate: share of re-records of the unchanged program that fail (trials 5);
 * - trials_power: share of re-records of the degraded program that fail (trials 5);
 * - trials1_false_alarm_rate / trials1_power: the same with trials 1 and the classic gate (any
 *   passing case now lower, or the mean below the baseline);
 * - trials_replay_ratio: CI replay (spawned `vitest run`, fixtures recorded once) of a block with
 *   trials 5 ÷ (5 × the same block with trials 1), median over interleaved rounds.
 * Env: BENCH_TRIAL_RUNS (default 40), BENCH_ROUNDS (default 3).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { LM, Predict, signature, toExamples, evaluate } from '../dist/index.js'
import { startSimulator, governingRule } from '../dist/testing.js'
import { caseStatus, gateMessage, trialCaseStatus, trialMeanVerdict } from '../dist/vitest/runtime/compare.js'
import { z } from 'zod'
import { emit, interleaved, removeProject, rounds, ROOT, runNode, show, VITEST, writeProject } from './lib.mjs'

const RUNS = Number(process.env.BENCH_TRIAL_RUNS ?? 40)
const K = 5
const worldFile = join(ROOT, 'examples', 'worlds', 'support-tickets.json')
const world = JSON.parse(readFileSync(worldFile, 'utf8'))
const all = [...world.train, ...world.test].map((r, i) => ({ id: `case-${i}`, ...r }))

// The degraded program forgets the rule that governs the most cases; the cases are all of that
// rule's plus the first others, so that the rule holds ~18.5% of them: forgetting it costs
// ~0.54 of accuracy on its cases (measured), ~10 points overall (the measured drop is printed).
const ruleOf = (r) => governingRule(world, { ticket: r.ticket })?.id
const counts = new Map()
for (const r of all) if (ruleOf(r)) counts.set(ruleOf(r), (counts.get(ruleOf(r)) ?? 0) + 1)
const forgottenId = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0]
const forgotten = world.rules.find((r) => r.id === forgottenId)
const mine = all.filter((r) => ruleOf(r) === forgottenId)
const others = all.filter((r) => ruleOf(r) !== forgottenId).slice(0, Math.round(mine.length / 0.185) - mine.length)
const rows = [...mine, ...others]
const examples = toExamples(rows, ['ticket'])
const instructions = (rules) => ['Choose the support queue that should handle this ticket.', ...rules.map((r) => r.statement)].join(' ')
const route = (rules) =>
  signature({
    instructions: instructions(rules),
    inputs: { ticket: z.string().describe('The customer message, verbatim') },
    outputs: { queue: z.enum(world.labels).describe('The queue that handles this ticket') },
  })
const full = () => new Predict(route(world.rules))
const degraded = () => new Predict(route(world.rules.filter((r) => r !== forgotten)))
const metric = (ex, pred) => (pred.queue === ex.data.queue ? 1 : 0)

/** Per-case trial scores of one run. */
async function runOnce(lm, make, trials, offset) {
  const r = await evaluate(make(), examples, metric, { settings: { lm }, trials, trialOffset: offset, concurrency: 32 })
  return r.cases.map((c) => (c.trials ? c.trials.map((t) => t.score) : [c.score]))
}

/** The trials gate: any case regressed (significant drop) or the mean regressed (significant, > tolerance 0). */
function failsWithTrials(base, now) {
  const caseFails = now.some((xs, i) => trialCaseStatus({ now: xs, base: base[i], errored: false, tolerance: 0 }).status === 'regressed')
  const meanFails = trialMeanVerdict(now.map((xs, i) => ({ name: rows[i].id, base: base[i], now: xs })), 0).regressed
  return caseFails || meanFails
}

/** The classic gate (trials 1): a passing baseline case now lower, or the mean below the baseline. */
function failsClassic(base, now) {
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
  const b = base.map((xs) => xs[0])
  const n = now.map((xs) => xs[0])
  const caseFails = n.some((s, i) => caseStatus({ score: s, errored: false, baseline: b[i], tolerance: 0 }) === 'regressed')
  return caseFails || gateMessage({ block: 'b', split: 'trainset', mean: mean(n), threshold: undefined, baseline: mean(b), tolerance: 0, regressed: [] }) !== undefined
}

const sim = await startSimulator({ worlds: [worldFile] })
const lm = new LM({ model: 'simba-sim-1', baseURL: sim.url, apiKey: 'sk-bench-simulated', temperature: 0.7, sendRolloutHeader: true, maxRetries: 0, concurrency: 32, cache: false })
const figures = {}
try {
  for (const trials of [K, 1]) {
    const base = await runOnce(lm, full, trials, 0)
    let alarms = 0
    let detected = 0
    let fullSum = 0
    let degradedSum = 0
    const gate = trials > 1 ? failsWithTrials : failsClassic
    for (let r = 1; r <= RUNS; r++) {
      const same = await runOnce(lm, full, trials, r)
      const worse = await runOnce(lm, degraded, trials, r)
      if (gate(base, same)) alarms++
      if (gate(base, worse)) detected++
      const m = (cs) => cs.reduce((a, xs) => a + xs.reduce((x, y) => x + y, 0) / xs.length, 0) / cs.length
      fullSum += m(same)
      degradedSum += m(worse)
    }
    const prefix = trials > 1 ? 'trials' : 'trials1'
    figures[`${prefix}_false_alarm_rate`] = alarms / RUNS
    figures[`${prefix}_power`] = detected / RUNS
    figures[`${prefix}_true_drop`] = Number(((fullSum - degradedSum) / RUNS).toFixed(4))
    console.log(
      `trials ${trials}: ${rows.length} cases, ${RUNS} re-records each: false alarms ${alarms}/${RUNS}, detected drops ${detected}/${RUNS} ` +
        `(program forgets rule "${forgotten.id}": mean ${(fullSum / RUNS).toFixed(3)} → ${(degradedSum / RUNS).toFixed(3)})`,
    )
  }
  figures.trials_runs = RUNS
  figures.trials_cases = rows.length
} finally {
  await sim.close()
}

// Replay cost: one project, two files (trials 5 and trials 1), recorded once, replayed in CI.
const CASES = 40
const file = (trials) => `import { z } from 'zod'
import { describe, LM, Predict, signature } from 'vitest-simba'
import cases from './cases.json' with { type: 'json' }

const route = signature({
  instructions: ${JSON.stringify(instructions(world.rules))},
  inputs: { ticket: z.string().describe('The customer message, verbatim') },
  outputs: { queue: z.enum(${JSON.stringify(world.labels)}).describe('The queue that handles this ticket') },
})
const lm = new LM({ model: 'simba-sim-1', baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY ?? 'test-key', maxRetries: 0, temperature: 0.7, sendRolloutHeader: true })

describe.optimize('routes with ${trials} trial(s)', {
  program: () => new Predict(route),
  trainset: cases,
  metric: (ex, pred) => (pred.queue === ex.data.queue ? 1 : 0),
  lm,
  trials: ${trials},
})
`
const project = writeProject('trials-replay', {
  'vitest.config.ts': `import { defineConfig } from 'vitest/config'
import { simba } from 'vitest-simba/plugin'

export default defineConfig({ plugins: [simba()], test: { include: ['*.test.ts'] } })
`,
  'cases.json': JSON.stringify(rows.slice(0, CASES)),
  'k5.test.ts': file(K),
  'k1.test.ts': file(1),
})
try {
  const rec = await startSimulator({ worlds: [worldFile] })
  try {
    await runNode(project, VITEST, ['run'], { env: { OPENAI_BASE_URL: rec.url, OPENAI_API_KEY: 'sk-bench-simulated' } })
  } finally {
    await rec.close()
  }
  const replay = (name) => async () => (await runNode(project, VITEST, ['run', name], { env: { CI: 'true' } })).ms
  const r = await interleaved(rounds(3), replay('k1.test.ts'), replay('k5.test.ts'))
  figures.trials_replay_ratio = Number((r.ratio / K).toFixed(3))
  console.log(`CI replay of ${CASES} cases: trials 1 ${show(r.a.map((x) => x / 1000), 2)} s, trials 5 ${show(r.b.map((x) => x / 1000), 2)} s; k5 ÷ (5 × k1) = ${figures.trials_replay_ratio}`)
} finally {
  removeProject(project)
}

console.table(figures)
emit(figures)
