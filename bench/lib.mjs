/**
 * Shared helpers of the benchmarks: medians, interleaved rounds, result output for `run-all.mjs`,
 * throwaway Vitest projects under `.vitest-simba-tmp/` (so `import … from 'vitest-simba'`
 * resolves to this repository's `dist/`), spawning Vitest with a clean environment, and the world
 * benchmarks' pieces (`quality.mjs`, `peers.mjs`): bundled worlds, program shapes, the exact-label
 * metric, held-out scoring, SIMBA settings per world and the simulator in a child process.
 */
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { ChainOfThought, evaluate, LM, Module, Predict, ReAct, signature, tool, toExamples } from '../dist/index.js'
import * as testing from '../dist/testing.js'

/** Repository root. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** Vitest's CLI entry and the built `vitest-simba` bin. */
export const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs')
export const BIN = join(ROOT, 'dist', 'vitest', 'node', 'bin.js')

/** Median of a list of numbers (mean of the two middle values for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Rounds from BENCH_ROUNDS, else `fallback`. */
export function rounds(fallback) {
  return Number(process.env.BENCH_ROUNDS ?? fallback)
}

/**
 * Runs `a` and `b` side by side for `n` rounds, alternating which one goes first; each returns a
 * number (a time). Returns the per-round values and ratios b ÷ a with their median.
 */
export async function interleaved(n, a, b) {
  const as = []
  const bs = []
  for (let r = 0; r < n; r++) {
    if (r % 2 === 0) {
      as.push(await a(r))
      bs.push(await b(r))
    } else {
      bs.push(await b(r))
      as.push(await a(r))
    }
  }
  const ratios = as.map((x, i) => bs[i] / x)
  return { a: as, b: bs, ratios, ratio: median(ratios) }
}

/** Adds `values` to the results file named by BENCH_JSON (set by run-all.mjs); no-op without it. */
export function emit(values) {
  const file = process.env.BENCH_JSON
  if (!file) return
  const prev = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}
  writeFileSync(file, JSON.stringify({ ...prev, ...values }, null, 2))
}

/** Formats a list of numbers for a log line. */
export const show = (xs, digits = 3) => xs.map((x) => x.toFixed(digits)).join(', ')

/**
 * Writes a throwaway project (relative path → text) into `.vitest-simba-tmp/`; returns its path.
 * Like a user's project it has its own `package.json` and `vitest-simba` installed in its
 * `node_modules` (this repository's `package.json` and `dist/`, as `npm install` would lay them
 * out); its other dependencies resolve from this repository's `node_modules`. Without that, the
 * project would sit inside this repository's package scope, `vitest-simba` would resolve to
 * `dist/` by self-reference, and Vitest would run the whole library through Vite's transform and
 * module runner instead of importing it natively as it does for an installed package (which cost
 * the regression run about 2 s of its time).
 */
export function writeProject(name, files) {
  const dir = join(ROOT, '.vitest-simba-tmp', `bench-${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`)
  const all = { 'package.json': `${JSON.stringify({ name: `bench-${name}`, private: true, type: 'module' }, null, 2)}\n`, ...files }
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  const installed = join(dir, 'node_modules', 'vitest-simba')
  mkdirSync(installed, { recursive: true })
  cpSync(join(ROOT, 'package.json'), join(installed, 'package.json'))
  cpSync(join(ROOT, 'dist'), join(installed, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') })
  return dir
}

/** Removes a project made by `writeProject`. */
export function removeProject(dir) {
  rmSync(dir, { recursive: true, force: true })
}

/** The environment without Vitest, CI, OpenAI, SIMBA and NODE_OPTIONS variables, colours off, plus `extra`. */
export function cleanEnv(extra = {}) {
  const env = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('VITEST') || k === 'CI' || k.startsWith('OPENAI_') || k.startsWith('SIMBA_') || k.startsWith('BENCH_') || k === 'NODE_OPTIONS') continue
    env[k] = v
  }
  env.FORCE_COLOR = '0'
  env.NO_COLOR = '1'
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v
  return env
}

const TIME = '/usr/bin/time'
const MARK = 'SIMBA_BENCH_RUSAGE'

/**
 * Spawns `node <script> ...args` in `cwd`; resolves with exit code, output, wall time (ms, spawn
 * to exit) and, where GNU time is installed, CPU seconds (user + system, the process and its
 * waited-for children) and peak RSS in MB of the largest process. Throws when `check` is set and
 * the exit code is not 0. `nodeArgs` go to node before the script (e.g. `--cpu-prof`).
 */
export function runNode(cwd, script, args, { env = {}, check = true, nodeArgs = [] } = {}) {
  const t0 = performance.now()
  const timed = existsSync(TIME)
  const cmd = timed ? [TIME, ['-f', `${MARK} %U %S %M`, process.execPath, ...nodeArgs, script, ...args]] : [process.execPath, [...nodeArgs, script, ...args]]
  const child = spawn(cmd[0], cmd[1], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (c) => (output += c.toString()))
  child.stderr.on('data', (c) => (output += c.toString()))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = performance.now() - t0
      const m = new RegExp(`${MARK} ([\\d.]+) ([\\d.]+) (\\d+)`).exec(output)
      const cpuS = m ? Number(m[1]) + Number(m[2]) : undefined
      const rssMB = m ? Number(m[3]) / 1024 : undefined
      if (m) output = output.replace(m[0], '')
      if (timed && code !== 0 && /^Command exited with non-zero status/m.test(output)) output = output.replace(/^Command exited with non-zero status \d+\n?/m, '')
      if (check && code !== 0) reject(new Error(`${script} ${args.join(' ')} in ${cwd} exited with ${code}:\n${output.slice(-4000)}`))
      else resolve({ code, output, ms, cpuS, rssMB })
    })
  })
}

/** Folder of the bundled worlds and their names (file names without `.json`), sorted. */
export const WORLDS_DIR = join(ROOT, 'examples', 'worlds')
export const worldNames = () => readdirSync(WORLDS_DIR).filter((f) => f.endsWith('.json')).sort().map((f) => f.replace(/\.json$/, ''))

/** Tool worlds (worlds that declare `tools`) are measured with a ReAct agent only. */
export const isToolWorld = (world) => Array.isArray(world.tools)

/** Mean, sample standard deviation, and rounding to three decimals (null and undefined pass through). */
export const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
export const sd = (xs) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)))
export const r3 = (x) => (x === null || x === undefined ? x : Math.round(x * 1000) / 1000)

/** Writes `value` as JSON to `file` atomically (a temporary file renamed over it). */
export function writeJsonAtomic(file, value) {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 2) + '\n')
  renameSync(`${file}.tmp`, file)
}

/**
 * SIMBA settings per world, scaled to its trainset so the quality benchmark stays near 10 minutes
 * on two cores: mini-batches of a quarter of the trainset (8–16), N = 4, 8 steps (2 with `quick`), maxDemos 4.
 */
export function worldSettings(world, { quick = false } = {}) {
  const T = world.train.length
  return { bsize: Math.max(8, Math.min(16, Math.floor(T / 4))), numCandidates: 4, maxSteps: quick ? 2 : 8, maxDemos: 4 }
}

/** Starts the simulator for one world in a child process; resolves with its URL and a stop(). */
export function startSim(file) {
  const code = `import { startSimulator } from ${JSON.stringify(new URL('../dist/testing.js', import.meta.url).href)}
const sim = await startSimulator({ worlds: [${JSON.stringify(file)}] })
console.log('URL ' + sim.url)
process.stdin.on('data', () => {}); process.stdin.on('end', async () => { await sim.close(); process.exit(0) })`
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.on('error', reject)
    child.on('exit', (c) => reject(new Error(`simulator for ${file} exited with ${c}`)))
    child.stdout.on('data', (d) => {
      out += d.toString()
      const m = /URL (\S+)/.exec(out)
      if (m) {
        child.removeAllListeners('exit')
        resolve({ url: m[1], stop: () => new Promise((r) => { child.on('exit', r); child.stdin.end() }) })
      }
    })
  })
}

const describeField = (name) => z.string().describe(`The ${name.replace(/_/g, ' ')}`)

/** The program shapes for a world: Predict, ChainOfThought, extract-then-decide, and ReAct over the world's tools. */
export function programFor(world, shape) {
  const inputs = Object.fromEntries(world.inputs.map((k) => [k, describeField(k)]))
  const decide = signature({
    instructions: `Choose the ${world.output.replace(/_/g, ' ')} for this case.`,
    inputs,
    outputs: { [world.output]: z.enum(world.labels).describe(`The ${world.output.replace(/_/g, ' ')}`) },
  })
  if (shape === 'react') return new ReAct(decide, { tools: testing.worldToolDefinitions(world).map((d) => tool(d)), maxIters: 6 })
  if (shape === 'predict') return new Predict(decide)
  if (shape === 'cot') return new ChainOfThought(decide)
  const extract = signature({
    instructions: 'List the facts of this case that matter for the decision.',
    inputs,
    outputs: { facts: z.string().describe('Key facts and phrases, one short phrase each') },
  })
  const route = signature({
    instructions: decide.instructions,
    inputs: { ...inputs, facts: z.string().describe('Key facts extracted from the case') },
    outputs: { [world.output]: z.enum(world.labels).describe(`The ${world.output.replace(/_/g, ' ')}`) },
  })
  class TwoStage extends Module {
    extract = new Predict(extract)
    decide = new Predict(route)
    async forward(input) {
      const { facts } = await this.extract.forward(input)
      return this.decide.forward({ ...input, facts })
    }
  }
  return new TwoStage()
}

/** The world's metric: exact label (1), else 0 with feedback naming the expected label. */
export const metricFor = (world) => (ex, p) => (p?.[world.output] === ex.data[world.output] ? 1 : { score: 0, feedback: `expected ${world.output} ${ex.data[world.output]}` })

/** An LM on the simulator at `url`. */
export const newLM = (url) => new LM({ model: 'gpt-4o-mini', baseURL: url, apiKey: 'sim', sendRolloutHeader: true, concurrency: 64 })

/** Held-out mean of `program`: the world's test cases at temperature 0, scored by the world's metric. */
export async function heldOut(program, world, url) {
  const r = await evaluate(program, toExamples(world.test, world.inputs), metricFor(world), { concurrency: 32, settings: { lm: newLM(url) } })
  return r.mean
}

/** Command-line flags of a bench script: `flag(name)` is the value after `--name`, `pickList` keeps the named items that exist (all when none is named). */
export function cliFlags(args = process.argv.slice(2)) {
  const flag = (name) => {
    const i = args.indexOf(`--${name}`)
    return i >= 0 ? args[i + 1] : undefined
  }
  const pickList = (v, all) => (v ? v.split(',').filter((x) => all.includes(x)) : all)
  return { flag, pickList, quick: args.includes('--quick') }
}

/** Deterministic PRNG in [0, 1) (mulberry32), seeded per bench run (random demos, Ax's Math.random). */
export function rng(seed) {
  let a = (seed * 2654435761 + 0x9e3779b9) >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
