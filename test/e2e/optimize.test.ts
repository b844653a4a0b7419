/**
 * `vitest-simba --optimize` on the tickets project, end to end: a dry run shows progress and a
 * proposal and changes no file; `--optimize -u` on two copies at once against one simulator writes
 * byte-identical snapshots and fixtures (the same seed gives the same program, whatever the timing)
 * and a better program; CI then passes from the recorded fixtures. One accepting run serves both
 * the "accept" and the "determinism" promises, and the dry run also writes the optimization report
 * (`--report=dir`), checked by its own test: one spawned optimization fewer than a run per promise.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { Report } from '../../src/report/types.js'
import { ROOT, copyProject, hashTree, run, useSimulatorProjects, type RunResult } from './harness.js'

const dirs: string[] = []
const sim = useSimulatorProjects(dirs)
const project = (): string => {
  const d = copyProject('tickets')
  dirs.push(d)
  return d
}

const ORIGINAL = join(ROOT, 'fixtures', 'projects', 'tickets')
/** 2024-03-01T12:00:00Z: pins the provenance date so the comparison cannot straddle midnight. */
const EPOCH = '1709294400'

const files = (dir: string, sub: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(join(dir, sub))
      .sort()
      .map((f) => [f, readFileSync(join(dir, sub, f), 'utf8')]),
  )

interface Snap {
  blocks: Record<string, { program: unknown; baseline: { devset: { mean: number }; mean: number }; provenance: { date: string; optimizer: string; seed?: number; settings?: Record<string, unknown> } }>
}

const env = (): Record<string, string> => ({ OPENAI_BASE_URL: sim.url(), OPENAI_API_KEY: 'test-key', SOURCE_DATE_EPOCH: EPOCH })
/** The tree's hashes without the report folder. */
const treeWithout = (dir: string, folder: string): Record<string, string> => Object.fromEntries(Object.entries(hashTree(dir)).filter(([f]) => !f.startsWith(`${folder}/`)))

/** The dry run (`--optimize --report=out/r`, no -u) on a fresh copy; made once, by whichever test needs it first. */
let dryRun: Promise<{ dir: string; before: Record<string, string>; r: RunResult }> | undefined
const theDryRun = (): Promise<{ dir: string; before: Record<string, string>; r: RunResult }> =>
  (dryRun ??= (async () => {
    const dir = project()
    const before = hashTree(dir)
    const r = await run(dir, ['run', '--optimize', '--report=out/r'], { bin: true, env: env() })
    return { dir, before, r }
  })())

describe('vitest-simba e2e: optimize', () => {
  test("--optimize --report=dir: trajectory, program changes, both programs' answers, usage against the forecast; snapshot untouched", async () => {
    const { dir, before, r } = await theDryRun()
    expect(r.code, r.output).toBe(0)
    const report = JSON.parse(readFileSync(join(dir, 'out', 'r', 'tickets.test.ts.report.json'), 'utf8')) as Report
    const block = report.blocks.find((b) => b.block === 'routes support tickets')
    expect(block?.mode).toBe('optimize')
    const html = readFileSync(join(dir, 'out', 'r', 'tickets.test.ts.report.html'), 'utf8')
    // The project's optimizer settings allow 6 steps; a run may stop earlier only on a plateau.
    const steps = block?.trajectory?.steps.map((s) => s.step) ?? []
    expect(steps.length).toBeGreaterThan(0)
    expect(steps).toEqual([...steps.keys()])
    if (steps.length < 6) expect(block?.trajectory?.stoppedReason).toBe('plateau')
    else expect(steps).toHaveLength(6)
    // Candidates were scored in a step, or the starting programs already solved every mini-batch (a plateau).
    const start = block?.trajectory?.start
    expect(start?.cases).toBeGreaterThan(0)
    expect(block?.trajectory?.steps.some((s) => s.candidates.some((c) => c.score !== undefined)) || block?.trajectory?.stoppedReason === 'plateau').toBe(true)
    expect(html).toContain('Reflective start: the starting program got')
    expect(block?.trajectory?.finalScore).toEqual(expect.any(Number))
    expect(block?.predictors?.some((p) => p.instructionsChanged || p.demosAdded.length > 0)).toBe(true)
    expect(block?.scores.map((s) => s.split)).toEqual(['trainset', 'devset'])
    for (const c of block?.cases ?? []) {
      expect(c.baselinePrediction, c.name).toEqual(expect.any(String))
      if (c.status === 'improved') expect(c.score ?? 0).toBeGreaterThan(c.baselineScore ?? 1)
      if (c.status === 'regressed') expect(c.score ?? 1).toBeLessThan(c.baselineScore ?? 0)
    }
    expect(block?.usage.optimization?.calls).toBeGreaterThan(0)
    expect(block?.usage.forecast?.calls).toBeGreaterThan(0)
    expect(html).toContain('<svg class="chart trajectory"')
    expect(existsSync(join(dir, 'out', 'r', 'billing.test.ts.report.html'))).toBe(true)
    // No temp files left behind by the atomic writes; no other file changed.
    expect(readdirSync(join(dir, 'out', 'r')).filter((f) => f.endsWith('.tmp'))).toEqual([])
    expect(treeWithout(dir, 'out')).toEqual(before)
  })

  test('--optimize shows progress and a diff and changes no file; -u on two copies writes the same better program; CI then passes from fixtures', async () => {
    // A dry run: progress and the proposal, no file changed (but the report it was asked for).
    const { dir: a, before, r: dry } = await theDryRun()
    const b = project()
    expect(dry.code, dry.output).toBe(0)
    expect(dry.output).toMatch(/\[simba\] routes support tickets: step 1 rollouts mean/)
    // Progress and the proposal are plain lines of the plugin's reporter, not framed per test.
    // (elapsed reads 42s, 1m05s or 1h02m: a busy machine may need more than a minute for a step)
    expect(dry.output).toMatch(/\[simba\] routes support tickets: step 1 done: .*\(elapsed (\d+s|\d+m\d\ds|\d+h\d\dm) · ETA /)
    expect(dry.output).not.toMatch(/stdout \| [^\n]*\n\[simba\]/)
    expect(dry.output).not.toContain('simba-progress')
    expect(dry.output).toContain('[simba] proposed program for "routes support tickets":')
    expect(dry.output).toMatch(/demos: \d+ \(\d+ added, 0 removed\)/)
    expect(dry.output).toMatch(/devset: 0\.\d+ vs snapshot 0\.531/)
    expect(dry.output).toContain('proposal not written (run with -u to accept it)')
    expect(treeWithout(a, 'out')).toEqual(before)
    expect(readdirSync(join(a, 'out', 'r')).sort()).toEqual(['billing.test.ts.report.html', 'billing.test.ts.report.json', 'tickets.test.ts.report.html', 'tickets.test.ts.report.json'])

    // Accept on both copies at once against one simulator: the result must not depend on timing.
    const [ra, rb] = await Promise.all([a, b].map((dir) => run(dir, ['run', '--optimize', '-u'], { bin: true, env: env() })))
    expect(ra?.code, ra?.output).toBe(0)
    expect(rb?.code, rb?.output).toBe(0)
    expect(ra?.output).toContain('snapshot written to __snapshots__/tickets.test.ts.simba.json')

    const snapsA = files(a, '__snapshots__')
    const snapsB = files(b, '__snapshots__')
    expect(Object.keys(snapsA)).toEqual(['billing.test.ts.simba.json', 'tickets.test.ts.simba.json'])
    expect(snapsB).toEqual(snapsA)

    // SIMBA changed something: every file differs from the committed one, and the main block's
    // program moved to one that scores better on the devset.
    const original = files(ORIGINAL, '__snapshots__')
    for (const [name, text] of Object.entries(snapsA)) expect(text, name).not.toBe(original[name])
    const old = JSON.parse(original['tickets.test.ts.simba.json'] ?? '{}') as Snap
    const next = JSON.parse(snapsA['tickets.test.ts.simba.json'] ?? '{}') as Snap
    const block = next.blocks['routes support tickets']
    expect(block?.program).not.toEqual(old.blocks['routes support tickets']?.program)
    expect(block?.baseline.devset.mean).toBeGreaterThan(old.blocks['routes support tickets']?.baseline.devset.mean ?? 1)
    expect(block?.provenance).toMatchObject({ optimizer: 'simba', seed: 1, date: '2024-03-01' })
    // Provenance holds the settings the optimizer used: those passed and the defaults it applied.
    expect(block?.provenance.settings).toMatchObject({ seed: 1, bsize: 6, numCandidates: 4, maxSteps: 6, maxDemos: 4, mode: 'improved', faithful: false, temperatureForCandidates: 0.02, maxErrors: null })

    // Recorded LM fixtures agree too, apart from their wall-clock `recordedAt` stamps.
    const stamp = /"recordedAt": "[^"]*"/g
    const fixturesA = Object.values(files(a, 'fixtures')).map((t) => t.replace(stamp, ''))
    const fixturesB = Object.values(files(b, 'fixtures')).map((t) => t.replace(stamp, ''))
    expect(fixturesB).toEqual(fixturesA)

    // CI replays the accepted program from the recorded fixtures and changes nothing.
    const afterAccept = hashTree(a)
    const ci = await run(a, ['run'], { env: { CI: 'true' } })
    expect(ci.code, ci.output).toBe(0)
    expect(ci.output).toMatch(/fixtures tickets\.test\.ts: \d+ replayed, 0 recorded, 0 missing, 0 unused, 0 live/)
    expect(ci.output).toMatch(/fixtures billing\.test\.ts: \d+ replayed, 0 recorded, 0 missing, 0 unused, 0 live/)
    expect(hashTree(a)).toEqual(afterAccept)
  })
})
