import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { ROOT, copyProject, hashTree, run, scoreTable, useSimulatorProjects } from './harness.js'

const dirs: string[] = []
const sim = useSimulatorProjects(dirs)
const project = (): string => {
  const d = copyProject('tickets')
  dirs.push(d)
  return d
}

interface Snap {
  blocks: Record<string, { baseline: { devset: { mean: number }; mean: number }; provenance: { optimizer: string; seed?: number } }>
}

describe('vitest-simba e2e: optimize and shards', () => {
  test('--optimize shows progress and a diff and changes no file; -u writes a better program; CI then passes from fixtures', async () => {
    const dir = project()
    const env = { OPENAI_BASE_URL: sim.url(), OPENAI_API_KEY: 'test-key' }
    const before = hashTree(dir)
    const dry = await run(dir, ['run', 'tickets.test.ts', '--optimize'], { bin: true, env })
    expect(dry.code, dry.output).toBe(0)
    expect(dry.output).toMatch(/\[simba\] routes support tickets: step 1 rollouts mean/)
    // Progress and the proposal are plain lines of the plugin's reporter, not framed per test.
    expect(dry.output).toMatch(/\[simba\] routes support tickets: step 1 done: .*\(elapsed \d+s · ETA /)
    expect(dry.output).not.toMatch(/stdout \| [^\n]*\n\[simba\]/)
    expect(dry.output).not.toContain('simba-progress')
    expect(dry.output).toContain('[simba] proposed program for "routes support tickets":')
    expect(dry.output).toMatch(/demos: \d+ \(\d+ added, 0 removed\)/)
    expect(dry.output).toMatch(/devset: 0\.\d+ vs snapshot 0\.531/)
    expect(dry.output).toContain('proposal not written (run with -u to accept it)')
    expect(hashTree(dir)).toEqual(before)

    const file = join(dir, '__snapshots__', 'tickets.test.ts.simba.json')
    const old = JSON.parse(readFileSync(file, 'utf8')) as Snap
    const accept = await run(dir, ['run', 'tickets.test.ts', '--optimize', '-u'], { bin: true, env })
    expect(accept.code, accept.output).toBe(0)
    expect(accept.output).toContain('snapshot written to __snapshots__/tickets.test.ts.simba.json')
    const next = JSON.parse(readFileSync(file, 'utf8')) as Snap
    const oldBlock = old.blocks['routes support tickets']
    const newBlock = next.blocks['routes support tickets']
    expect(newBlock?.provenance).toMatchObject({ optimizer: 'simba', seed: 1 })
    expect(newBlock?.baseline.devset.mean).toBeGreaterThan(oldBlock?.baseline.devset.mean ?? 1)

    const afterAccept = hashTree(dir)
    const ci = await run(dir, ['run'], { env: { CI: 'true' } })
    expect(ci.code, ci.output).toBe(0)
    expect(ci.output).toMatch(/fixtures tickets\.test\.ts: \d+ replayed, 0 recorded, 0 missing, 0 unused, 0 live/)
    expect(hashTree(dir)).toEqual(afterAccept)
  })

  test('--shard=1/2 and 2/2 merged with --merge-reports report the same scores as one run', async () => {
    const dir = project()
    const env = { CI: 'true' }
    const whole = await run(dir, ['run'], { env })
    expect(whole.code, whole.output).toBe(0)
    for (const shard of ['1/2', '2/2']) {
      const r = await run(dir, ['run', `--shard=${shard}`, '--reporter=blob'], { env })
      expect(r.code, r.output).toBe(0)
    }
    const merged = await run(dir, ['--merge-reports'], { env })
    expect(merged.code, merged.output).toBe(0)
    const table = scoreTable(merged.output)
    expect(table.length).toBe(5) // title, header, rule, two blocks
    expect(table).toEqual(scoreTable(whole.output))
    // The lines under the table (the trainset of the devset-gated block, fixture counts) agree too.
    const notes = (o: string): string[] => o.split('\n').filter((l) => /^(routes .*: trainset \(not gating\)|fixtures )/.test(l)).sort()
    expect(notes(merged.output).length).toBeGreaterThan(0)
    expect(notes(merged.output)).toEqual(notes(whole.output))
  })
})
