#!/usr/bin/env node
/**
 * Runs every benchmark in this folder, one after another, each in its own Node process so their
 * numbers do not disturb each other. Run with `npm run bench` (builds `dist/` first).
 * Each benchmark prints its own table and adds its figures to one results object; this script
 * writes it to `bench/results/latest.json` with the machine, its load and the rounds, and prints
 * the headline ratios against their targets. Every ratio compares two things measured side by side
 * in the same run (interleaved rounds, median), so a busy machine moves both sides.
 * `quality.mjs` writes its own table to `bench/results/quality.json`, `ablations.mjs` (improved mode
 * with one option off) to `bench/results/ablations.json`, `peers.mjs` (Ax's optimizers beside
 * SIMBA) to `bench/results/peers.json` (docs/benchmarks.md).
 * `node bench/run-all.mjs overhead replay` runs only the benchmarks whose file names match
 * (then the results go to `bench/results/partial.json` unless BENCH_OUT names a file).
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const benches = ['lm-overhead.mjs', 'agent-overhead.mjs', 'fixtures-replay.mjs', 'simba-schedule.mjs', 'regression-run.mjs', 'files-scaling.mjs', 'scaling.mjs', 'optimize-example.mjs', 'quality.mjs', 'ablations.mjs', 'peers.mjs', 'trials.mjs']
const targets = {
  overhead_ratio: ['<=', 1.1],
  replay_overhead_ratio: ['<=', 1.2],
  step_efficiency: ['>=', 0.85],
  speedup_vs_sequential: ['>=', 1.8],
  regression_run_ratio: ['<=', 2.0],
  calls_per_step_ratio: ['<=', 1.0],
  files_scaling_ratio: ['<=', 1.3],
  agent_overhead_ratio: ['<=', 1.15],
  trials_false_alarm_rate: ['<=', 0.05],
  trials_power: ['>=', 0.9],
  trials_replay_ratio: ['<=', 1.1],
}
const only = process.argv.slice(2)
const resultsDir = fileURLToPath(new URL('results/', import.meta.url))
const out = process.env.BENCH_OUT ?? join(resultsDir, only.length > 0 ? 'partial.json' : 'latest.json')
const parts = join(tmpdir(), `simba-bench-${process.pid}.json`)
rmSync(parts, { force: true })

const started = new Date()
const load = [{ at: 'start', loadavg: loadavg() }]
const durations = {}
let failed = 0
for (const file of benches) {
  if (only.length > 0 && !only.some((o) => file.includes(o))) continue
  console.log(`\n=== bench/${file} ===`)
  const t0 = performance.now()
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(file, import.meta.url))], { stdio: 'inherit', env: { BENCH_EXAMPLE_STEPS: '6', ...process.env, BENCH_JSON: parts } })
  durations[file] = Math.round((performance.now() - t0) / 100) / 10
  load.push({ at: `after ${file}`, loadavg: loadavg() })
  if (r.status !== 0) {
    failed++
    console.error(`bench/${file} exited with ${r.status}`)
  }
}

let figures = {}
try {
  figures = JSON.parse(readFileSync(parts, 'utf8'))
} catch {
  // no benchmark reported figures
}
rmSync(parts, { force: true })
const met = {}
for (const [key, [op, target]] of Object.entries(targets)) {
  const v = figures[key]
  if (typeof v !== 'number') continue
  met[key] = op === '<=' ? v <= target : v >= target
}
const result = {
  ...Object.fromEntries(Object.keys(targets).filter((k) => k in figures).map((k) => [k, figures[k]])),
  targets: Object.fromEntries(Object.entries(targets).map(([k, [op, t]]) => [k, `${op} ${t}`])),
  met,
  details: Object.fromEntries(Object.entries(figures).filter(([k]) => !(k in targets))),
  machine: {
    date: started.toISOString(),
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    loadavg: load,
    note: 'loadavg is os.loadavg() (1, 5, 15 min) at the start and after each benchmark; the machine was shared',
  },
  rounds: process.env.BENCH_ROUNDS ? Number(process.env.BENCH_ROUNDS) : { 'lm-overhead': 5, 'agent-overhead': 5, 'fixtures-replay': 5, 'simba-schedule': 3, 'regression-run': 3, 'files-scaling': 3 },
  seconds: durations,
}
mkdirSync(resultsDir, { recursive: true })
writeFileSync(`${out}.tmp`, JSON.stringify(result, null, 2) + '\n')
renameSync(`${out}.tmp`, out)

console.log(`\n=== summary (${out}) ===`)
console.table(
  Object.entries(targets).map(([key, [op, target]]) => ({
    figure: key,
    value: typeof figures[key] === 'number' ? Number(figures[key].toFixed(3)) : 'not run',
    target: `${op} ${target}`,
    met: key in met ? (met[key] ? 'yes' : 'NO') : '-',
  })),
)
console.log(`load average at start ${load[0].loadavg.map((x) => x.toFixed(2)).join(' ')}, at end ${load[load.length - 1].loadavg.map((x) => x.toFixed(2)).join(' ')}; ${cpus().length} CPUs; total ${Object.values(durations).reduce((a, b) => a + b, 0).toFixed(0)} s`)
process.exitCode = failed > 0 ? 1 : 0
