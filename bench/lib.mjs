/**
 * Shared helpers of the benchmarks: medians, interleaved rounds, result output for `run-all.mjs`,
 * throwaway Vitest projects under `.vitest-simba-tmp/` (so `import … from 'vitest-simba'`
 * resolves to this repository's `dist/`), and spawning Vitest with a clean environment.
 */
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

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
