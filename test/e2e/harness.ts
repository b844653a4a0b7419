/**
 * Runs real Vitest (or the built `vitest-simba` bin) on a copy of a project under
 * `fixtures/projects/`. Copies live in `.vitest-simba-tmp/` inside the repo, so the projects'
 * `import … from 'vitest-simba'` self-references the root package (→ `dist/`).
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { startSimulator, type Simulator } from '../../src/testing/index.js'

/** Repository root. */
export const ROOT = join(import.meta.dirname, '..', '..')
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs')
const BIN = join(ROOT, 'dist', 'vitest', 'node', 'bin.js')

/** Throws a clear error when `dist/` is missing (the e2e tests spawn the built package). */
export function requireBuild(): void {
  if (!existsSync(BIN) || !existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` before the e2e tests')
}

/** Copies `fixtures/projects/<name>` to a fresh temp folder in the repo; returns its path. */
export function copyProject(name: string): string {
  const dir = join(ROOT, '.vitest-simba-tmp', `${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`)
  mkdirSync(dir, { recursive: true })
  cpSync(join(ROOT, 'fixtures', 'projects', name), dir, { recursive: true, filter: (src) => !src.includes('node_modules') })
  return dir
}

/** Removes a copy made by `copyProject`. */
export function removeProject(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/** Every file under `dir` (absolute paths, sorted walk), skipping node_modules and blob reports. */
export function listFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (name === 'node_modules' || name === '.vitest-reports') continue
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.push(p)
    }
  }
  walk(dir)
  return out
}

/**
 * sha256 of every file under `dir` (node_modules, blob reports and the local score history in
 * `.vitest-simba/` excluded: every local run appends to it), by relative path.
 */
export function hashTree(dir: string): Record<string, string> {
  return Object.fromEntries(
    listFiles(dir)
      .map((p) => relative(dir, p))
      .filter((rel) => !rel.startsWith(`.vitest-simba${sep}`))
      .map((rel) => [rel, createHash('sha256').update(readFileSync(join(dir, rel))).digest('hex')]),
  )
}

/** Output of one run. */
export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
  /** stdout + stderr without ANSI colours. */
  output: string
}

/** The parent's environment without Vitest, CI, OpenAI, SIMBA and NODE_OPTIONS variables, colours off, plus `extra`. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('VITEST') || k === 'CI' || k.startsWith('OPENAI_') || k.startsWith('SIMBA_') || k === 'NODE_OPTIONS') continue
    env[k] = v
  }
  env['FORCE_COLOR'] = '0'
  env['NO_COLOR'] = '1'
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v
  return env
}

/** Spawns `node <script> ...args` in `cwd` with `cleanEnv(env)`; collects its output. */
export function runNode(cwd: string, script: string, args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  const child = spawn(process.execPath, [script, ...args], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      // eslint-disable-next-line no-control-regex
      const output = `${stdout}\n${stderr}`.replace(/\u001b\[[0-9;]*m/g, '')
      resolve({ code, stdout, stderr, output })
    })
  })
}

/** Spawns `vitest` (or the bin with `bin: true`) in `cwd` with a clean, offline environment. */
export function run(cwd: string, args: string[], opts: { bin?: boolean; env?: Record<string, string | undefined> } = {}): Promise<RunResult> {
  return runNode(cwd, opts.bin ? BIN : VITEST, args, opts.env)
}

/**
 * Writes a throwaway project (relative path → file text) into a fresh folder of
 * `.vitest-simba-tmp/`; returns its path. Remove it with `removeProject`.
 */
export function writeProject(name: string, files: Record<string, string>): string {
  const dir = join(ROOT, '.vitest-simba-tmp', `${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`)
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true })
    writeFileSync(join(dir, rel), text)
  }
  return dir
}

/** The score table lines printed by the reporter (from the header to the last block row). */
export function scoreTable(output: string): string[] {
  const lines = output.split('\n')
  const start = lines.findIndex((l) => l.startsWith('vitest-simba scores'))
  if (start < 0) return []
  const out: string[] = []
  for (const l of lines.slice(start)) {
    if (l.trim() === '') break
    out.push(l)
  }
  return out
}

/**
 * Registers beforeAll/afterAll hooks for a test file that optimizes copies of fixture projects:
 * requires the build, starts the support-tickets simulator, and removes the copies listed in
 * `dirs` at the end. Returns the simulator's URL getter.
 */
export function useSimulatorProjects(dirs: string[]): { url: () => string } {
  let sim: Simulator | undefined
  beforeAll(async () => {
    requireBuild()
    sim = await startSimulator({ worlds: [join(ROOT, 'examples', 'worlds', 'support-tickets.json')] })
  })
  afterAll(async () => {
    dirs.forEach(removeProject)
    await sim?.close()
  })
  return {
    url: () => {
      if (!sim) throw new Error('simulator not started')
      return sim.url
    },
  }
}
