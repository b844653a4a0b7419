#!/usr/bin/env node
/**
 * Peers side by side: Ax's optimizers and SIMBA on the same simulated worlds, same metric, same
 * held-out cases. For every bundled world without tools (examples/worlds/*.json) and seeds 0–2, one
 * predictor (the world's input fields -> its label, instructions "Choose the <label> for this case.")
 * is optimized by each row, then scored on the world's test cases at temperature 0 by exact label.
 *
 * Rows and their settings (Ax 24.0.21, `@ax-llm/ax`, a dev dependency used only here):
 * - `ax-bootstrap-4`, `ax-bootstrap-16`: AxBootstrapFewShot with `maxDemos` 4 / 16; every other
 *   setting Ax's default (3 rounds, 16 sampled examples a round, batch size 1, quality threshold 0.5).
 * - `ax-gepa`: AxGEPA with Ax's defaults (30 trials, mini-batches of 20, early stop after 5 trials)
 *   and `maxMetricCalls` 500 (GEPA has no default budget; 500 is below SIMBA's 700–1400 calls here).
 * - `ax-optimize-gepa`: Ax's `optimize(...)` entry point (Ax 24 exports no MiPRO; `optimize` runs
 *   AxBootstrapFewShot first only for trainsets of at most 8 examples, so here it is GEPA) with its
 *   default budget, `maxMetricCalls` 100.
 * - `ax-ace`: AxACE with Ax's defaults (1 epoch over the trainset, reflector rounds and section
 *   sizes as shipped).
 * - `simba-faithful`, `simba-improved`: this project's `simba` with `mode` 'faithful' / 'improved'
 *   and the quality benchmark's settings per world (bsize = clamp(train/4, 8, 16), N 4, 8 steps,
 *   maxDemos 4, concurrency 64).
 * The Ax program carries the instructions as its `instruction` (GEPA's proposal step cannot start
 * from an empty component, so with the text in the signature description GEPA never proposed anything).
 * Ax runs get the trainset as examples, the metric (1 for the exact label, else 0), GEPA and
 * `optimize` also a `feedbackFn` giving the same feedback SIMBA's metric gives ("expected <field>
 * <label>"); the same simulated model answers as student and teacher; Ax's `seed` is the seed + 1
 * (GEPA treats 0 as "unset"), and Math.random is replaced by a seeded generator for each Ax run
 * (Ax's bootstrap sampling and Pareto choices use it), so Ax runs go one at a time.
 *
 * LM calls are counted at the simulator: every optimization run gets its own simulator instance
 * (in this process, on 127.0.0.1) and `calls` is the requests it answered; the held-out evaluation
 * runs on another instance and is not counted. `curve`: SIMBA improved's held-out mean (over seeds)
 * of the program a stop after k calls would return, from its `onProgress` 'best' events (each
 * announced program is recorded with the simulator's count at that moment and scored once).
 *
 * Writes bench/results/peers.json and prints a table. A failing run records `error` in its row and
 * the benchmark goes on; a run that takes longer than PEERS_RUN_TIMEOUT_MS (default 20 minutes) is
 * abandoned as failed (it keeps its simulator, and Ax rows after it may lose their seeded order).
 * `--worlds a,b`, `--seeds 0,1`, `--optimizers ax-gepa,simba-improved` narrow it; `--quick` is a smoke
 * test (first world, seed 0, SIMBA 2 steps, GEPA budget 100); narrowed runs write peers-partial.json
 * unless PEERS_OUT names a file. Run after a build: `npm run build && node bench/peers.mjs`.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { simba, toExamples } from '../dist/index.js'
import * as testing from '../dist/testing.js'
import { cliFlags, emit, rng, heldOut, isToolWorld, mean, metricFor, newLM, programFor, r3, sd, WORLDS_DIR, worldNames, worldSettings, writeJsonAtomic } from './lib.mjs'

const { flag, pickList, quick } = cliFlags()
const OPTIMIZERS = ['ax-bootstrap-4', 'ax-bootstrap-16', 'ax-gepa', 'ax-optimize-gepa', 'ax-ace', 'simba-faithful', 'simba-improved']
const optimizers = pickList(flag('optimizers'), OPTIMIZERS)
const seeds = flag('seeds') ? flag('seeds').split(',').map(Number) : quick ? [0] : [0, 1, 2]
const narrowed = quick || ['worlds', 'seeds', 'optimizers'].some((f) => flag(f) !== undefined)
const GEPA_BUDGET = quick ? 100 : 500
/** A run that takes longer than this is recorded as failed (its simulator is closed, so it stops soon after). */
const RUN_TIMEOUT_MS = Number(process.env.PEERS_RUN_TIMEOUT_MS ?? 20 * 60 * 1000)

const loadWorld = (name) => testing.loadWorld(join(WORLDS_DIR, `${name}.json`))
const selectedWorlds = pickList(flag('worlds'), worldNames()).filter((n) => !isToolWorld(loadWorld(n)))
const worldsToRun = quick ? selectedWorlds.slice(0, 1) : selectedWorlds

// ---------------------------------------------------------------------------------------------
// Ax side (loaded lazily: without it the Ax rows record the error and SIMBA's rows still run)

let Ax
let axLoadError
try {
  Ax = await import('@ax-llm/ax')
} catch (error) {
  axLoadError = `@ax-llm/ax could not be loaded (npm ci installs it): ${error instanceof Error ? error.message : String(error)}`
}
// A promise of a run abandoned after its timeout may still reject later: log it, do not crash.
process.on('unhandledRejection', (reason) => console.error(`peers: late rejection ignored: ${reason instanceof Error ? reason.message : String(reason)}`))

/** The Ax program: the same fields, descriptions and instructions as `programFor(world, 'predict')` (instructions as Ax's `instruction`). */
function axProgram(world) {
  const field = (k) => `${k}:string "The ${k.replace(/_/g, ' ')}"`
  const out = `${world.output}:class "${world.labels.join(', ')}" "The ${world.output.replace(/_/g, ' ')}"`
  const gen = Ax.ax(`${world.inputs.map(field).join(', ')} -> ${out}`)
  // The instruction, not the signature description: GEPA edits both components of a program, and
  // its proposal request fails on an empty current value, so an empty instruction is never improved.
  gen.setInstruction(`Choose the ${world.output.replace(/_/g, ' ')} for this case.`)
  return gen
}

const axAI = (url) => new Ax.AxAIOpenAI({ apiKey: 'sim', apiURL: url, config: { model: 'gpt-4o-mini' }, options: { debug: false } })
const pick = (row, fields) => Object.fromEntries(fields.map((f) => [f, row[f]]))
const axExamples = (world, rows) => rows.map((r) => pick(r, [...world.inputs, world.output]))
const axMetric = (world) => ({ prediction, example }) => (prediction?.[world.output] === example[world.output] ? 1 : 0)
const axFeedback = (world) => ({ prediction, example }) => (prediction?.[world.output] === example[world.output] ? undefined : `expected ${world.output} ${example[world.output]}`)
const quiet = { verbose: false, optimizerLogger: () => {}, logger: () => {} }

/** The optimized program's instructions (shortened), for the record. */
const describe = (program) => ({ instruction: program.getInstruction()?.slice(0, 600) ?? null, description: program.getSignature().getDescription()?.slice(0, 600) ?? null })

/** Runs one Ax optimizer on `program` (changed in place to the optimized program). */
async function axOptimize(optimizer, world, program, ai, seed) {
  const train = axExamples(world, world.train)
  const metric = axMetric(world)
  const base = { studentAI: ai, seed: seed + 1, ...quiet }
  if (optimizer.startsWith('ax-bootstrap-')) {
    const maxDemos = Number(optimizer.slice('ax-bootstrap-'.length))
    const result = await new Ax.AxBootstrapFewShot({ ...base, options: { maxDemos, verboseMode: false } }).compile(program, train, metric)
    program.setDemos(result.demos ?? [])
    return { demos: (result.demos ?? []).reduce((n, d) => n + d.traces.length, 0) }
  }
  if (optimizer === 'ax-gepa') {
    const result = await new Ax.AxGEPA(base).compile(program, train, metric, { maxMetricCalls: GEPA_BUDGET, feedbackFn: axFeedback(world), verbose: false })
    if (result.optimizedProgram) program.applyOptimization(result.optimizedProgram)
    return describe(program)
  }
  if (optimizer === 'ax-optimize-gepa') {
    const result = await Ax.optimize(program, train, metric, { ...base, feedbackFn: axFeedback(world) })
    if (result.optimizedProgram) program.applyOptimization(result.optimizedProgram)
    return describe(program)
  }
  if (optimizer === 'ax-ace') {
    const result = await new Ax.AxACE(base).compile(program, train, metric)
    result.optimizedProgram?.applyTo(program)
    return { bullets: Object.values(result.playbook?.sections ?? {}).reduce((n, s) => n + s.length, 0), ...describe(program) }
  }
  throw new Error(`unknown optimizer ${optimizer}`)
}

/** Held-out mean of an Ax program: each test case once at temperature 0; a failed call scores 0. */
async function axHeldOut(program, world, url) {
  const ai = axAI(url)
  const scores = await Promise.all(
    world.test.map(async (row) => {
      try {
        const p = await program.forward(ai, pick(row, world.inputs), { modelConfig: { temperature: 0 } })
        return p?.[world.output] === row[world.output] ? 1 : 0
      } catch {
        return 0
      }
    }),
  )
  return mean(scores)
}

// ---------------------------------------------------------------------------------------------
// One run: its own simulator instance counts the optimization's calls.

class RunTimeout extends Error {}

function withTimeout(promise, ms, what) {
  let timer
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new RunTimeout(`${what} took longer than ${ms / 1000} s`)), ms)))]).finally(() => clearTimeout(timer))
}

/**
 * Simulators of runs abandoned after their timeout: they keep answering the abandoned run (neither
 * Ax nor simba can be cancelled), so its requests never reach a later run's simulator on a reused
 * port; closed at the end.
 */
const abandoned = []

async function runOne(world, optimizer, seed, evalUrl) {
  const sim = await testing.startSimulator({ worlds: [world] })
  const t0 = Date.now()
  try {
    if (optimizer.startsWith('ax-')) {
      if (axLoadError) throw new Error(axLoadError)
      const program = axProgram(world)
      const saved = Math.random
      Math.random = rng(seed)
      let info
      try {
        info = await withTimeout(axOptimize(optimizer, world, program, axAI(sim.url), seed), RUN_TIMEOUT_MS, optimizer)
      } finally {
        Math.random = saved
      }
      const { requests: calls, byKind } = sim.stats()
      await sim.close()
      return { score: await axHeldOut(program, world, evalUrl), calls, seconds: (Date.now() - t0) / 1000, info: { ...info, byKind } }
    }
    const improved = optimizer === 'simba-improved'
    const announced = []
    const result = await withTimeout(
      simba(programFor(world, 'predict'), {
        trainset: toExamples(world.train, world.inputs),
        metric: metricFor(world),
        lm: newLM(sim.url),
        seed,
        concurrency: 64,
        mode: improved ? 'improved' : 'faithful',
        ...worldSettings(world, { quick }),
        onProgress: (e) => {
          if (e.type === 'best') announced.push({ calls: sim.stats().requests, program: e.program })
        },
      }),
      RUN_TIMEOUT_MS,
      optimizer,
    )
    const { requests: calls, byKind } = sim.stats()
    await sim.close()
    // Each distinct announced program (and the returned one) is scored on held-out once.
    const scored = new Map()
    const scoreOf = async (state) => {
      const key = JSON.stringify(state)
      if (!scored.has(key)) scored.set(key, await heldOut(programFor(world, 'predict').loadState(state), world, evalUrl))
      return scored.get(key)
    }
    const score = await scoreOf(result.program.state())
    const points = []
    if (improved) for (const a of announced) points.push({ calls: a.calls, score: await scoreOf(a.program) })
    return { score, calls, reportedCalls: result.usage.calls, seconds: (Date.now() - t0) / 1000, points, info: { byKind, stopped: result.stoppedReason, steps: result.summary.steps, distinctPrograms: scored.size } }
  } catch (error) {
    if (error instanceof RunTimeout) abandoned.push(sim)
    else await sim.close().catch(() => {})
    return { error: error instanceof Error ? error.message : String(error), calls: sim.stats().requests, seconds: (Date.now() - t0) / 1000 }
  }
}

/** curve(k) of one run: the held-out score of the last announced program with calls <= k. */
const curveAt = (points, k) => {
  let s = points[0]?.score ?? null
  for (const p of points) if (p.calls <= k) s = p.score
  return s
}

// ---------------------------------------------------------------------------------------------

const started = Date.now()
const out = { worlds: [] }
for (const name of worldsToRun) {
  const world = loadWorld(name)
  let evalSim
  try {
    evalSim = await testing.startSimulator({ worlds: [world] })
    const bounds = await testing.worldBounds(world)
    const entry = { name, floor: r3(bounds.floor), ceiling: r3(bounds.ceiling), train: world.train.length, test: world.test.length, rows: [], curve: [] }
    const improvedRuns = []
    for (const optimizer of optimizers) {
      const t0 = Date.now()
      const runs = []
      for (const seed of seeds) runs.push(await runOne(world, optimizer, seed, evalSim.url))
      const ok = runs.filter((r) => r.error === undefined)
      const errors = runs.map((r, i) => (r.error === undefined ? null : `seed ${seeds[i]}: ${r.error}`)).filter(Boolean)
      const row = {
        optimizer,
        seeds: runs.map((r) => (r.error === undefined ? r3(r.score) : null)),
        mean: ok.length > 0 ? r3(mean(ok.map((r) => r.score))) : null,
        sd: ok.length > 0 ? r3(sd(ok.map((r) => r.score))) : null,
        calls: ok.length > 0 ? Math.round(mean(ok.map((r) => r.calls))) : null,
        callsPerSeed: runs.map((r) => r.calls),
        ...(ok.some((r) => r.reportedCalls !== undefined) ? { reportedCallsPerSeed: runs.map((r) => r.reportedCalls ?? null) } : {}),
        seconds: Math.round((Date.now() - t0) / 100) / 10,
        info: runs.map((r) => r.info ?? null),
        ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
      }
      entry.rows.push(row)
      if (optimizer === 'simba-improved') improvedRuns.push(...ok)
      console.log(`${name} ${optimizer}: ${row.seeds.map((s) => s ?? 'error').join(' ')} mean ${row.mean} calls ${row.calls} (${row.seconds} s)${row.error ? ` ERROR ${row.error}` : ''}`)
    }
    if (improvedRuns.length > 0) {
      const full = Math.max(...improvedRuns.map((r) => r.calls))
      const ks = new Set(entry.rows.map((r) => r.calls).filter((c) => typeof c === 'number' && c > 0))
      for (let k = 16; k < full; k *= 2) ks.add(k)
      ks.add(full)
      entry.curve = [...ks].sort((a, b) => a - b).map((k) => ({ calls: k, mean: r3(mean(improvedRuns.map((r) => curveAt(r.points, k)))) }))
    }
    out.worlds.push(entry)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    console.error(`${name}: ${message}`)
    out.worlds.push({ name, floor: null, ceiling: null, rows: [], curve: [], error: message })
  } finally {
    await evalSim?.close()
  }
}

out.settings = {
  note: 'Predict shape; held-out = world test cases at temperature 0, exact label; calls = requests answered by the run\'s own simulator instance during the optimization (mean over seeds); curve = simba-improved held-out mean over seeds of the program its "best" events announced last at or before k calls',
  ax: { version: '24.0.21', 'ax-bootstrap-N': 'AxBootstrapFewShot maxDemos N, other options default', 'ax-gepa': `AxGEPA defaults, maxMetricCalls ${GEPA_BUDGET}, feedbackFn`, 'ax-optimize-gepa': 'optimize() defaults (maxMetricCalls 100; bootstrap only for <= 8 examples), feedbackFn', 'ax-ace': 'AxACE defaults (maxEpochs 1)', seed: 'seed + 1; Math.random seeded per run' },
  simba: 'quality.mjs settings per world: bsize clamp(train/4, 8, 16), numCandidates 4, maxSteps 8, maxDemos 4, concurrency 64',
  seeds,
  optimizers,
  quick,
}
out.machine = { date: new Date(started).toISOString(), node: process.version, seconds: Math.round((Date.now() - started) / 1000) }

const table = []
for (const w of out.worlds) {
  table.push({ world: w.name, optimizer: '(floor / ceiling)', mean: `${w.floor} / ${w.ceiling}`, calls: '', ...(w.error ? { error: w.error.slice(0, 60) } : {}) })
  for (const r of w.rows) table.push({ world: w.name, optimizer: r.optimizer, mean: r.mean === null ? 'error' : r.mean.toFixed(3), calls: r.calls ?? '-', ...(r.error ? { error: r.error.slice(0, 60) } : {}) })
  if (w.curve.length > 0) table.push({ world: w.name, optimizer: 'simba-improved curve', mean: w.curve.map((p) => `${p.calls}:${p.mean.toFixed(2)}`).join(' '), calls: '' })
}
console.table(table)
console.log(`peers benchmark: ${out.machine.seconds} s`)
const resultsDir = fileURLToPath(new URL('results/', import.meta.url))
writeJsonAtomic(process.env.PEERS_OUT ?? join(resultsDir, narrowed ? 'peers-partial.json' : 'peers.json'), out)
emit({ peers_seconds: out.machine.seconds })
await Promise.all(abandoned.map((sim) => sim.close().catch(() => {})))
// Runs abandoned after a timeout may still hold timers (retries); the results are written.
process.exit(0)
