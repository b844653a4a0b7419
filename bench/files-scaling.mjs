#!/usr/bin/env node
/**
 * Files-scaling benchmark: `vitest-simba run --optimize` of a generated project with 4 test files,
 * one `describe.optimize` block each, which Vitest runs on its workers in parallel (maxWorkers 4),
 * against the same command on 1 of those files alone. The simulated provider answers every call
 * after 50 ms; fixtures are off so every round makes live calls. The warm-up is a plain `run` of
 * all 4 files, which writes each block's baseline snapshot (the unoptimized program; there is none
 * yet); the measured `--optimize` runs without `-u` then write nothing, so every one of them
 * optimizes the same unoptimized program and makes the same LM calls (they exit 1 when the proposal
 * regresses a case; the benchmark checks the score table instead). Reports files_scaling_ratio = median over interleaved
 * rounds of (4 files ÷ 1 file). Env: BENCH_ROUNDS (default 3), BENCH_LATENCY_MS (default 50).
 * The simulator runs in this process, so this process's CPU time during a run is the simulator's.
 * BENCH_EXTRA_LATENCY_MS (default 200, 0 to skip) adds one more interleaved round at that latency
 * (a hosted model's order of magnitude), reported as a detail, not as the headline figure.
 * BENCH_CPU_PROF=<dir> instead runs 1 file once (all 4 with BENCH_CPU_PROF_FILES=all; after one
 * warm-up) with `--cpu-prof` on Vitest's main process and its workers, writes the profiles into
 * <dir> and measures nothing (`node bench/cpuprofile-summary.mjs <dir>` summarises them).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startSimulator } from '../dist/testing.js'
import { BIN, emit, interleaved, median, removeProject, rounds, ROOT, runNode, show, writeProject } from './lib.mjs'

const ROUNDS = rounds(3)
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 50)
const FILES = 4
const worldFile = join(ROOT, 'examples', 'worlds', 'support-tickets.json')
const world = JSON.parse(readFileSync(worldFile, 'utf8'))
const settings = { seed: 1, bsize: 8, numCandidates: 4, maxSteps: 8 }

const files = {
  'vitest.config.ts': `import { defineConfig } from 'vitest/config'
import { simba } from 'vitest-simba/plugin'

export default defineConfig({
  plugins: [simba({ optimize: ${JSON.stringify(settings)}, fixtures: { mode: 'off' } })],
  test: { include: ['*.test.ts'], maxWorkers: ${FILES}, testTimeout: 600_000 },
})
`,
}
for (let f = 0; f < FILES; f++) {
  // Each file gets its own 32 tickets (distinct text, so no file shares work with another).
  const cases = world.train.slice(0, 32).map((row, i) => ({ id: `f${f}-${i}`, ticket: `${row.ticket} (file ${f}, ref ${i})`, queue: row.queue }))
  files[`block${f}.test.ts`] = `import { z } from 'zod'
import { describe, LM, Predict, signature } from 'vitest-simba'

const cases = ${JSON.stringify(cases)}
const route = signature({
  instructions: 'Pick the queue that should handle the customer support ticket.',
  inputs: { ticket: z.string().describe("The customer's message") },
  outputs: { queue: z.enum(${JSON.stringify(world.labels)}).describe('Queue that handles it') },
})
const lm = new LM({ model: 'simba-sim-1', baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY ?? 'test-key', maxRetries: 0, concurrency: 8, sendRolloutHeader: true })

describe.optimize('block ${f}', {
  program: () => new Predict(route),
  trainset: cases,
  metric: (ex, pred) => (pred.queue === ex.data.queue ? 1 : 0),
  lm,
})
`
}
const dir = writeProject('files-scaling', files)
const EXTRA = Number(process.env.BENCH_EXTRA_LATENCY_MS ?? 200)

/** Interleaved rounds of (1 file, 4 files) against a simulator answering after `latency` ms. */
async function measure(latency, n, warm, chosen) {
  const sim = await startSimulator({ worlds: [worldFile], latency: { fixedMs: latency } })
  try {
    const env = { env: { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-bench-simulated' } }
    const optimize = async (only) => {
      const before = sim.stats().requests
      const simCpu0 = process.cpuUsage()
      // Exit code 1 is expected: the proposed program regresses some cases against the baseline.
      const r = await runNode(dir, BIN, ['run', '--optimize', ...only], { ...env, check: false })
      const simCpu = process.cpuUsage(simCpu0)
      const blocks = only.length === 0 ? FILES : only.length
      const rows = r.output.split('\n').filter((l) => /^block \d+\s+trainset\s+32\s/.test(l)).length
      if (rows !== blocks) throw new Error(`expected ${blocks} optimized blocks in the score table, got ${rows}:\n${r.output.slice(-3000)}`)
      return { ms: r.ms, cpuS: r.cpuS, simCpuS: (simCpu.user + simCpu.system) / 1e6, calls: sim.stats().requests - before }
    }
    // Warm-up: a plain run of every file writes each block's baseline snapshot (the unoptimized
    // program), so every measured --optimize run optimizes that same program from scratch. (An
    // --optimize warm-up would write the optimized program as the first snapshot, and later rounds
    // would then only re-optimize an already solved program: 128 LM calls per block instead of the
    // full search, which measured Vitest's start-up rather than optimization.)
    if (warm) await runNode(dir, BIN, ['run'], { ...env, check: false })
    // The 4 blocks do different amounts of work (their tickets differ, so their searches do): the
    // 1-file side is the block with the most LM calls alone, the 4-file run's critical path, so the
    // ratio measures running side by side, not the gap between a small block and a large one.
    let one = chosen
    const perBlock = []
    if (!one) {
      for (let f = 0; f < FILES; f++) perBlock.push((await optimize([`block${f}.test.ts`])).calls)
      const f = perBlock.indexOf(Math.max(...perBlock))
      one = `block${f}.test.ts`
      console.log(`LM calls of each block alone: ${perBlock.join(', ')}; the 1-file side is ${one}`)
    }
    const calls = { one: 0, all: 0 }
    const cpu = { one: [], all: [] }
    const simCpu = { one: [], all: [] }
    const res = await interleaved(
      n,
      async () => {
        const r = await optimize([one])
        if (calls.one && calls.one !== r.calls) console.warn(`warning: a 1-file run made ${r.calls} LM calls, an earlier one ${calls.one}`)
        calls.one = r.calls
        cpu.one.push(r.cpuS)
        simCpu.one.push(r.simCpuS)
        return r.ms
      },
      async () => {
        const r = await optimize([])
        if (calls.all && calls.all !== r.calls) console.warn(`warning: a ${FILES}-file run made ${r.calls} LM calls, an earlier one ${calls.all}`)
        calls.all = r.calls
        cpu.all.push(r.cpuS)
        simCpu.all.push(r.simCpuS)
        return r.ms
      },
    )
    console.table(
      res.a.map((one, i) => ({
        round: i,
        '1 file s': (one / 1000).toFixed(2),
        [`${FILES} files s`]: (res.b[i] / 1000).toFixed(2),
        ratio: res.ratios[i].toFixed(2),
        '1 file CPU s (Vitest + simulator)': `${cpu.one[i]?.toFixed(1)} + ${simCpu.one[i]?.toFixed(1)}`,
        [`${FILES} files CPU s (Vitest + simulator)`]: `${cpu.all[i]?.toFixed(1)} + ${simCpu.all[i]?.toFixed(1)}`,
      })),
    )
    console.log(`LM calls per run: 1 file (${one}) ${calls.one}, ${FILES} files ${calls.all}; simulated latency ${latency} ms; optimize ${JSON.stringify(settings)}, LM concurrency 8 per block`)
    return { res, calls, cpu, simCpu, one, perBlock }
  } finally {
    await sim.close()
  }
}

/** One profiled run of 1 file or all (BENCH_CPU_PROF): Vitest's main process and its workers. */
async function profile(outDir) {
  const only = process.env.BENCH_CPU_PROF_FILES === 'all' ? [] : ['block0.test.ts']
  const sim = await startSimulator({ worlds: [worldFile], latency: { fixedMs: LATENCY } })
  try {
    const env = { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-bench-simulated' }
    await runNode(dir, BIN, ['run'], { env, check: false }) // warm-up: writes every block's baseline snapshot
    const prof = ['--cpu-prof', `--cpu-prof-dir=${outDir}`]
    const config = join(dir, 'vitest.config.ts')
    writeFileSync(config, readFileSync(config, 'utf8').replace("include: ['*.test.ts']", `include: ['*.test.ts'], execArgv: ${JSON.stringify(prof)}`))
    const r = await runNode(dir, BIN, ['run', '--optimize', ...only], { env, check: false, nodeArgs: prof })
    console.log(`profiled ${only.length ? 1 : FILES}-file run: ${(r.ms / 1000).toFixed(2)} s wall, ${r.cpuS?.toFixed(2)} s CPU; CPU profiles written to ${outDir}`)
  } finally {
    await sim.close()
  }
}

/** The measured rounds (the default). */
async function benchmark() {
  const { res, calls, cpu, simCpu, one, perBlock } = await measure(LATENCY, ROUNDS, true)
  console.log(`files_scaling_ratio = ${res.ratio.toFixed(3)} (target <= 1.3); per round ${show(res.ratios)}`)
  const out = {
    files_scaling_ratio: res.ratio,
    files_scaling_ratio_rounds: res.ratios,
    files_scaling_latency_ms: LATENCY,
    files_scaling_one_file_s: res.a.map((x) => x / 1000),
    files_scaling_four_files_s: res.b.map((x) => x / 1000),
    files_scaling_lm_calls: calls,
    files_scaling_one_file: one,
    files_scaling_calls_per_block_alone: perBlock,
    files_scaling_cpu_s: cpu,
    files_scaling_simulator_cpu_s: simCpu,
    files_scaling_cpu_ratio: median(cpu.all.map((c, i) => c / cpu.one[i])),
  }
  if (EXTRA > 0) {
    const extra = await measure(EXTRA, 1, false, one)
    console.log(`at ${EXTRA} ms latency (one round): ratio ${extra.res.ratio.toFixed(3)}`)
    Object.assign(out, {
      [`files_scaling_ratio_${EXTRA}ms`]: extra.res.ratio,
      [`files_scaling_${EXTRA}ms_one_file_s`]: extra.res.a.map((x) => x / 1000),
      [`files_scaling_${EXTRA}ms_four_files_s`]: extra.res.b.map((x) => x / 1000),
      [`files_scaling_${EXTRA}ms_cpu_s`]: extra.cpu,
    })
  }
  emit(out)
}

try {
  if (process.env.BENCH_CPU_PROF) await profile(process.env.BENCH_CPU_PROF)
  else await benchmark()
} finally {
  removeProject(dir)
}
