#!/usr/bin/env node
/**
 * Quality benchmark: how far each optimizer moves held-out accuracy, and at what LM cost.
 * For every bundled world (examples/worlds/*.json) × program shape (Predict, ChainOfThought,
 * two-stage; a ReAct agent over the world's tools, shape `react`, for tool worlds) × seeds 0–4 it measures the held-out score (the world's test cases, temperature 0)
 * and the live LM calls of: the unoptimized program; k random labelled train demos (k = maxDemos,
 * seeded; a reference baseline that costs no LM calls); SIMBA `mode: 'faithful'` (DSPy); SIMBA
 * `mode: 'improved'`. Floor and ceiling per world come from `worldBounds(world)` of
 * `vitest-simba/testing` when it exists; otherwise the floor is the unoptimized Predict score, the
 * ceiling is null and `ceilingEstimate` (a Predict whose instructions state every rule keyword with
 * its label) stands in for it in the target check.
 * Writes bench/results/quality.json and prints a table. The simulator runs in its own process on
 * 127.0.0.1 with zero latency; the runs of the five seeds go at once.
 * `--quick`: one world, Predict only, seeds 0–1, 2 steps (a smoke test of the script).
 * `--worlds a,b`, `--shapes predict,cot,two-stage,react`, `--optimizers simba-improved`, `--seeds 0,1` narrow it;
 * narrowed or quick runs write bench/results/quality-partial.json unless QUALITY_OUT names a file.
 * QUALITY_IMPROVED_OPTIONS (a JSON object of simba options) overrides options of the improved runs,
 * for ablations, e.g. `QUALITY_IMPROVED_OPTIONS='{"consolidateAdvice":false}'`; such runs also
 * write the partial file.
 * `--merge` (with `--worlds`): the measured worlds replace their entries in quality.json, the
 * other worlds' rows are kept (targets and settings are recomputed; use the full default seeds).
 * Run after a build: `npm run build && node bench/quality.mjs`.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { simba, toExamples } from '../dist/index.js'
import * as testing from '../dist/testing.js'
import { cliFlags, emit, rng, heldOut, mean, metricFor, newLM, programFor, r3, sd, startSim, worldSettings } from './lib.mjs'

const { flag, pickList, quick } = cliFlags()
const worldsDir = fileURLToPath(new URL('../examples/worlds/', import.meta.url))
const allWorlds = readdirSync(worldsDir).filter((f) => f.endsWith('.json')).sort()
const worldNames = pickList(flag('worlds'), allWorlds.map((f) => f.replace(/\.json$/, '')))
const selectedWorlds = quick ? worldNames.slice(0, 1) : worldNames
const SHAPES = ['predict', 'cot', 'two-stage', 'react']
const shapes = quick ? ['predict'] : pickList(flag('shapes'), SHAPES)
/** Tool worlds are measured with a ReAct agent only; other worlds with the three single-call shapes. */
const isToolWorld = (world) => Array.isArray(world.tools)
const shapesFor = (world) => shapes.filter((s) => (s === 'react') === isToolWorld(world))
const OPTIMIZERS = ['unoptimized', 'random-demos', 'random-demos-16', 'simba-faithful', 'simba-improved']
const optimizers = pickList(flag('optimizers'), OPTIMIZERS)
const seeds = flag('seeds') ? flag('seeds').split(',').map(Number) : quick ? [0, 1] : [0, 1, 2, 3, 4]
const improvedOverrides = process.env.QUALITY_IMPROVED_OPTIONS ? JSON.parse(process.env.QUALITY_IMPROVED_OPTIONS) : {}
const narrowed = quick || ['worlds', 'shapes', 'optimizers', 'seeds'].some((f) => flag(f) !== undefined) || Object.keys(improvedOverrides).length > 0

const settingsFor = (world) => worldSettings(world, { quick })

/** k labelled train cases drawn without replacement with `seed`, as demos of the deciding predictor. */
function withRandomDemos(program, world, k, seed) {
  const r = rng(seed)
  const idx = world.train.map((_, i) => i)
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1))
    ;[idx[i], idx[j]] = [idx[j], idx[i]]
  }
  const demos = idx.slice(0, k).map((i) => Object.fromEntries([...world.inputs, world.output].map((f) => [f, world.train[i][f]])))
  const copy = program.clone()
  const preds = copy.namedPredictors()
  const [, last] = preds[preds.length - 1]
  last.demos = demos
  return copy
}

/** One optimizer × shape × seed: the held-out score and the live LM calls spent optimizing. */
async function runOne(world, shape, optimizer, seed, url, settings) {
  const program = programFor(world, shape)
  if (optimizer === 'unoptimized') return { score: await heldOut(program, world, url), calls: 0 }
  if (optimizer === 'random-demos') return { score: await heldOut(withRandomDemos(program, world, settings.maxDemos, seed), world, url), calls: 0 }
  // 16 labelled demos: a stand-in for a 16-demo bootstrap (Ax BootstrapFewShot maxDemos 16 spends about 19 calls).
  if (optimizer === 'random-demos-16') return { score: await heldOut(withRandomDemos(program, world, 16, seed), world, url), calls: 0 }
  const lm = newLM(url)
  const announced = []
  const result = await simba(program, {
    onProgress: (e) => {
      if (e.type === 'best') announced.push({ calls: e.usage.calls, state: e.program })
    },
    trainset: toExamples(world.train, world.inputs),
    metric: metricFor(world),
    lm,
    seed,
    concurrency: 64,
    mode: optimizer === 'simba-improved' ? 'improved' : 'faithful',
    ...settings,
    ...(optimizer === 'simba-improved' ? improvedOverrides : {}),
  })
  const p = result.program
  const score = await heldOut(p, world, url)
  // Anytime curve: the held-out score of the program a stop after k calls would return ('best' events).
  const byState = new Map()
  const points = []
  for (const a of announced) {
    const key = JSON.stringify(a.state)
    if (!byState.has(key)) byState.set(key, heldOut(programFor(world, shape).loadState(a.state), world, url))
    points.push({ calls: a.calls, score: await byState.get(key) })
  }
  const curve = Object.fromEntries(CURVE_AT.map((k) => [k, [...points].reverse().find((x) => x.calls <= k)?.score ?? null]))
  return { score, calls: result.usage.calls, stopped: result.stoppedReason, steps: result.summary.steps, curve }
}

/** Call counts at which the anytime curve is read (a bootstrap of 4 and 16 demos costs about 6 and 19 calls). */
const CURVE_AT = [0, 6, 19, 50, 100, 200, 400, 800]

/** Every-rule-known estimate: a Predict whose instructions name every keyword with its label. */
async function ceilingEstimate(world, url) {
  const p = programFor(world, 'predict')
  const lines = world.rules.flatMap((r) => r.keywords.map((k) => `When the case mentions "${k}", the ${world.output} is ${r.label}.`))
  p.instructions = `${p.instructions}\n${lines.join('\n')}`
  return heldOut(p, world, url)
}

const started = Date.now()
const out = { worlds: [], settings: {}, machine: {} }
for (const name of selectedWorlds) {
  const file = join(worldsDir, `${name}.json`)
  const world = typeof testing.loadWorld === 'function' ? testing.loadWorld(file) : JSON.parse(readFileSync(file, 'utf8'))
  const settings = settingsFor(world)
  const sim = await startSim(file)
  try {
    let floor
    let ceiling = null
    let bounds = 'measured here (floor = unoptimized Predict; no worldBounds export)'
    if (typeof testing.worldBounds === 'function') {
      const b = await testing.worldBounds(world)
      floor = b.floor
      ceiling = b.ceiling
      bounds = 'worldBounds(world) from vitest-simba/testing'
    } else floor = await heldOut(programFor(world, 'predict'), world, sim.url)
    const estimate = ceiling === null ? await ceilingEstimate(world, sim.url) : undefined
    const misleadable = world.learning?.misleadable === true
    const entry = { name, ...(misleadable ? { misleadable: true, reflection: world.learning.reflection ?? null } : {}), floor: r3(floor), ceiling: r3(ceiling), ...(estimate !== undefined ? { ceilingEstimate: r3(estimate) } : {}), bounds, train: world.train.length, test: world.test.length, settings, rows: [] }
    for (const shape of shapesFor(world)) {
      for (const optimizer of optimizers) {
        const t0 = Date.now()
        const runs = await Promise.all(seeds.map((s) => runOne(world, shape, optimizer, s, sim.url, settings)))
        const scores = runs.map((r) => r.score)
        const calls = runs.map((r) => r.calls)
        const row = { optimizer, shape, seeds: scores.map(r3), mean: r3(mean(scores)), sd: r3(sd(scores)), calls: Math.round(mean(calls)), callsPerSeed: calls, seconds: Math.round((Date.now() - t0) / 100) / 10 }
        if (runs[0].stopped !== undefined) row.stopped = runs.map((r) => `${r.stopped}@${r.steps}`)
        if (runs[0].curve) row.curve = Object.fromEntries(CURVE_AT.map((k) => [k, runs.every((r) => r.curve[k] !== null) ? r3(mean(runs.map((r) => r.curve[k]))) : null]))
        entry.rows.push(row)
        console.log(`${name} ${shape} ${optimizer}: ${row.seeds.join(' ')} mean ${row.mean} sd ${row.sd} calls ${row.calls} (${row.seconds} s)${row.curve ? ` curve ${JSON.stringify(row.curve)}` : ''}`)
      }
    }
    out.worlds.push(entry)
  } finally {
    await sim.stop()
  }
}

// `--merge`: the worlds measured now replace their entries in bench/results/quality.json (the other
// worlds' rows are kept as they are), and the targets are recomputed over all of them.
const merge = process.argv.slice(2).includes('--merge')
if (merge) {
  const previous = JSON.parse(readFileSync(fileURLToPath(new URL('results/quality.json', import.meta.url)), 'utf8'))
  const fresh = new Map(out.worlds.map((w) => [w.name, w]))
  out.worlds = [...previous.worlds.map((w) => fresh.get(w.name) ?? w), ...out.worlds.filter((w) => !previous.worlds.some((p) => p.name === w.name))]
  out.merged = { measured: [...fresh.keys()], keptFrom: previous.machine }
}

// Targets: improved reaches >= 90% of floor→ceiling on its mean, >= 75% on every seed, never below
// random demos, and no more calls than faithful (per world and shape). On misleadable worlds (a model
// that follows wrong instructions, noisy reflection): >= 80% on its mean, no seed below faithful's same
// seed, fewer calls than faithful. Anytime: after 6 and 19 calls at least 4 and 16 labelled demos.
const top = (w) => w.ceiling ?? w.ceilingEstimate
const frac = (w, x) => (top(w) - w.floor > 0 ? (x - w.floor) / (top(w) - w.floor) : null)
const table = []
const checks = []
for (const w of out.worlds) {
  for (const shape of [...new Set(w.rows.map((r) => r.shape))]) {
    const rows = Object.fromEntries(w.rows.filter((r) => r.shape === shape).map((r) => [r.optimizer, r]))
    for (const r of w.rows.filter((x) => x.shape === shape)) {
      table.push({ world: w.name, shape, optimizer: r.optimizer, mean: r.mean.toFixed(3), sd: r.sd.toFixed(3), 'of floor→ceiling': frac(w, r.mean)?.toFixed(2) ?? '-', 'min seed': Math.min(...r.seeds).toFixed(3), calls: r.calls })
    }
    const imp = rows['simba-improved']
    if (!imp) continue
    const f = frac(w, imp.mean)
    const worstSeed = Math.min(...imp.seeds.map((s) => frac(w, s)))
    const faithful = rows['simba-faithful']
    // Anytime: the held-out score a stop after 6 / 19 calls returns, against 4 / 16 labelled demos (bootstrap stand-ins).
    const anytime = (k, row) => (imp.curve && row ? (imp.curve[k] !== null && imp.curve[k] >= row.mean ? 'yes' : `NO (${imp.curve[k]} < ${row.mean})`) : '-')
    checks.push({
      world: w.name,
      shape,
      ...(w.misleadable
        ? {
            'mean ≥ 80%': f === null ? '-' : f >= 0.8 ? 'yes' : `NO (${f.toFixed(2)})`,
            'seeds ≥ faithful': faithful ? (imp.seeds.every((s, i) => s >= faithful.seeds[i]) ? 'yes' : 'NO') : '-',
            'calls < faithful': faithful ? (imp.calls < faithful.calls ? 'yes' : 'NO') : '-',
          }
        : {
            'mean ≥ 90%': f === null ? '-' : f >= 0.9 ? 'yes' : `NO (${f.toFixed(2)})`,
            'seeds ≥ 75%': f === null ? '-' : worstSeed >= 0.75 ? 'yes' : `NO (${worstSeed.toFixed(2)})`,
            'calls ≤ faithful': faithful ? (imp.calls <= faithful.calls ? 'yes' : 'NO') : '-',
          }),
      '≥ random demos': rows['random-demos'] ? (imp.mean >= rows['random-demos'].mean ? 'yes' : 'NO') : '-',
      '@6 calls ≥ 4 demos': anytime(6, rows['random-demos']),
      '@19 calls ≥ 16 demos': anytime(19, rows['random-demos-16']),
    })
  }
}
out.targets = checks
out.settings = {
  note: 'per world: bsize = clamp(floor(train/4), 8, 16), numCandidates 4, maxSteps 8, maxDemos 4, concurrency 64; held-out = world test cases at temperature 0; calls = live LM calls of the optimization (mean over seeds); random-demos = maxDemos labelled train cases drawn with the seed, on the deciding predictor (for react: the extract predictor; the cases carry no trajectory); tool worlds are measured with shape react only (ReAct, maxIters 6, the world tools)',
  seeds,
  shapes,
  optimizers,
  quick,
}
out.machine = { date: new Date(started).toISOString(), node: process.version, seconds: Math.round((Date.now() - started) / 1000) }
console.table(table)
console.table(checks)
console.log(`quality benchmark: ${out.machine.seconds} s`)
const resultsDir = fileURLToPath(new URL('results/', import.meta.url))
const file = process.env.QUALITY_OUT ?? join(resultsDir, narrowed && !merge ? 'quality-partial.json' : 'quality.json')
mkdirSync(resultsDir, { recursive: true })
writeFileSync(`${file}.tmp`, JSON.stringify(out, null, 2) + '\n')
renameSync(`${file}.tmp`, file)
emit({ quality_seconds: out.machine.seconds, quality_targets: checks })
