import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { ROOT, copyProject, run, useSimulatorProjects } from './harness.js'

const dirs: string[] = []
const sim = useSimulatorProjects(dirs)

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
  blocks: Record<string, { program: unknown; provenance: { date: string; optimizer: string; seed?: number; settings?: Record<string, unknown> } }>
}

describe('vitest-simba e2e: determinism', () => {
  test('--optimize -u on two copies with the same seed writes byte-identical snapshots (and changes the program)', async () => {
    const a = copyProject('tickets')
    const b = copyProject('tickets')
    dirs.push(a, b)
    const env = { OPENAI_BASE_URL: sim.url(), OPENAI_API_KEY: 'test-key', SOURCE_DATE_EPOCH: EPOCH }
    // Both copies at once against one simulator: the result must not depend on timing either.
    const [ra, rb] = await Promise.all([a, b].map((dir) => run(dir, ['run', '--optimize', '-u'], { bin: true, env })))
    expect(ra?.code, ra?.output).toBe(0)
    expect(rb?.code, rb?.output).toBe(0)
    expect(ra?.output).toContain('snapshot written to __snapshots__/tickets.test.ts.simba.json')

    const snapsA = files(a, '__snapshots__')
    const snapsB = files(b, '__snapshots__')
    expect(Object.keys(snapsA)).toEqual(['billing.test.ts.simba.json', 'tickets.test.ts.simba.json'])
    expect(snapsB).toEqual(snapsA)

    // SIMBA changed something: every file differs from the committed one, and the main block's program moved.
    const original = files(ORIGINAL, '__snapshots__')
    for (const [name, text] of Object.entries(snapsA)) expect(text, name).not.toBe(original[name])
    const before = JSON.parse(original['tickets.test.ts.simba.json'] ?? '{}') as Snap
    const after = JSON.parse(snapsA['tickets.test.ts.simba.json'] ?? '{}') as Snap
    const block = after.blocks['routes support tickets']
    expect(block?.program).not.toEqual(before.blocks['routes support tickets']?.program)
    expect(block?.provenance).toMatchObject({ optimizer: 'simba', seed: 1, date: '2024-03-01' })
    // Provenance holds the settings the optimizer used: those passed and the defaults it applied.
    expect(block?.provenance.settings).toMatchObject({ seed: 1, bsize: 6, numCandidates: 4, maxSteps: 6, maxDemos: 4, mode: 'improved', faithful: false, temperatureForCandidates: 0.02, maxErrors: null })

    // Recorded LM fixtures agree too, apart from their wall-clock `recordedAt` stamps.
    const stamp = /"recordedAt": "[^"]*"/g
    const fixturesA = Object.values(files(a, 'fixtures')).map((t) => t.replace(stamp, ''))
    const fixturesB = Object.values(files(b, 'fixtures')).map((t) => t.replace(stamp, ''))
    expect(fixturesB).toEqual(fixturesA)
  })
})
