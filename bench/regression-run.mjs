#!/usr/bin/env node
/**
 * CI regression-run benchmark: `CI=true vitest run` of a generated project whose one
 * `describe.optimize` block has 500 cases replayed from recorded fixtures, against a plain Vitest
 * project with one file of 500 trivial tests, both spawned the same way (node vitest.mjs run, clean
 * environment, CI=true), each project with its own package.json and vitest-simba installed in its
 * node_modules as a user's would be (see `writeProject`). The fixtures and the snapshot are recorded once per run against the
 * simulated provider on 127.0.0.1 (a plain `vitest run` with OPENAI_BASE_URL set). The projects
 * live in `.vitest-simba-tmp/` (so `vitest-simba` resolves to this repository) and are removed.
 * Reports regression_run_ratio = median over interleaved rounds of (simba run ÷ plain run).
 * Env: BENCH_ROUNDS (default 3), BENCH_CASES (default 500); BENCH_CPU_PROF=<dir> adds one more
 * simba run with `--cpu-prof` (every process: Vitest's main process and its workers) into <dir>.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startSimulator } from '../dist/testing.js'
import { emit, interleaved, median, removeProject, rounds, ROOT, runNode, show, VITEST, writeProject } from './lib.mjs'

const CASES = Number(process.env.BENCH_CASES ?? 500)
const ROUNDS = rounds(3)
const worldFile = join(ROOT, 'examples', 'worlds', 'support-tickets.json')
const world = JSON.parse(readFileSync(worldFile, 'utf8'))
const cases = Array.from({ length: CASES }, (_, i) => {
  const row = world.train[i % world.train.length]
  return { id: `case-${i}`, ticket: `${row.ticket} (ref ${i})`, queue: row.queue }
})

const simba = writeProject('regression-simba', {
  'vitest.config.ts': `import { defineConfig } from 'vitest/config'
import { simba } from 'vitest-simba/plugin'

export default defineConfig({ plugins: [simba()], test: { include: ['*.test.ts'] } })
`,
  'cases.json': JSON.stringify(cases),
  'regress.test.ts': `import { z } from 'zod'
import { describe, LM, Predict, signature } from 'vitest-simba'
import cases from './cases.json' with { type: 'json' }

const route = signature({
  instructions: 'Pick the queue that should handle the customer support ticket.',
  inputs: { ticket: z.string().describe("The customer's message") },
  outputs: { queue: z.enum(${JSON.stringify(world.labels)}).describe('Queue that handles it') },
})
const lm = new LM({ model: 'simba-sim-1', baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY ?? 'test-key', maxRetries: 0, concurrency: 16 })

describe.optimize('routes ${CASES} tickets', {
  program: () => new Predict(route),
  trainset: cases,
  metric: (ex, pred) => (pred.queue === ex.data.queue ? 1 : 0),
  lm,
})
`,
})
const plain = writeProject('regression-plain', {
  'vitest.config.ts': `import { defineConfig } from 'vitest/config'

export default defineConfig({ test: { include: ['*.test.ts'] } })
`,
  'plain.test.ts': `import { expect, test } from 'vitest'

for (let i = 0; i < ${CASES}; i++) {
  test(\`case \${i}\`, () => {
    expect(i + 1).toBe(i + 1)
  })
}
`,
})

try {
  const sim = await startSimulator({ worlds: [worldFile] })
  let rec
  try {
    rec = await runNode(simba, VITEST, ['run'], { env: { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-bench-simulated' } })
  } finally {
    await sim.close()
  }
  const fixture = join(simba, 'fixtures', 'regress.test.ts.lm.json')
  console.log(`recorded ${CASES} cases in ${(rec.ms / 1000).toFixed(1)} s; fixture file ${(statSync(fixture).size / 1e6).toFixed(2)} MB`)
  const check = (r, name) => {
    const m = /Tests\s+(\d+) passed/.exec(r.output.replace(/\u001b\[[0-9;]*m/g, ''))
    if (!m) throw new Error(`${name}: no "Tests N passed" line:\n${r.output.slice(-3000)}`)
    return Number(m[1])
  }
  const ci = { env: { CI: 'true' } }
  // one warm-up run of each (Vite's transform cache, disk cache)
  const warmSimba = await runNode(simba, VITEST, ['run'], ci)
  await runNode(plain, VITEST, ['run'], ci)
  const replayLine = /fixtures regress\.test\.ts: [^\n]*/.exec(warmSimba.output)?.[0]
  console.log(`simba project: ${check(warmSimba, 'simba')} tests; ${replayLine}`)
  const cpu = { plain: [], simba: [] }
  const res = await interleaved(
    ROUNDS,
    async () => {
      const r = await runNode(plain, VITEST, ['run'], ci)
      check(r, 'plain')
      cpu.plain.push(r.cpuS)
      return r.ms
    },
    async () => {
      const r = await runNode(simba, VITEST, ['run'], ci)
      check(r, 'simba')
      cpu.simba.push(r.cpuS)
      return r.ms
    },
  )
  console.table(
    res.a.map((p, i) => ({
      round: i,
      'plain 500 tests s': (p / 1000).toFixed(2),
      'describe.optimize 500 cases (replay) s': (res.b[i] / 1000).toFixed(2),
      ratio: res.ratios[i].toFixed(2),
      'CPU s (plain, simba)': `${cpu.plain[i]?.toFixed(2)}, ${cpu.simba[i]?.toFixed(2)}`,
    })),
  )
  console.log(`regression_run_ratio = ${res.ratio.toFixed(3)} (target <= 2.0); per round ${show(res.ratios)}`)
  if (process.env.BENCH_CPU_PROF) {
    const prof = [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    const config = join(simba, 'vitest.config.ts')
    writeFileSync(config, readFileSync(config, 'utf8').replace("include: ['*.test.ts']", `include: ['*.test.ts'], execArgv: ${JSON.stringify(prof)}`))
    await runNode(simba, VITEST, ['run'], { env: { CI: 'true' }, nodeArgs: prof })
    console.log(`CPU profiles written to ${process.env.BENCH_CPU_PROF}`)
  }
  emit({
    regression_run_ratio: res.ratio,
    regression_run_ratio_rounds: res.ratios,
    regression_run_cases: CASES,
    regression_run_plain_s: res.a.map((x) => x / 1000),
    regression_run_simba_s: res.b.map((x) => x / 1000),
    regression_run_fixture_bytes: statSync(fixture).size,
    regression_run_cpu_s: cpu,
    ...(cpu.plain.every((x) => typeof x === 'number') ? { regression_run_cpu_ratio: median(cpu.simba.map((c, i) => c / cpu.plain[i])) } : {}),
  })
} finally {
  removeProject(simba)
  removeProject(plain)
}
