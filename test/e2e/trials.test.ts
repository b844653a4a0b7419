import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startSimulator, type Simulator } from '../../src/testing/index.js'
import { ROOT, copyProject, removeProject, requireBuild, run, scoreTable } from './harness.js'

const dirs: string[] = []
// Two simulators with different salts stand in for two re-samplings of the same real model.
let first: Simulator | undefined
let second: Simulator | undefined
const world = join(ROOT, 'examples', 'worlds', 'support-tickets.json')
beforeAll(async () => {
  requireBuild()
  first = await startSimulator({ worlds: [world], defaultSeed: 0 })
  second = await startSimulator({ worlds: [world], defaultSeed: 1 })
})
afterAll(async () => {
  dirs.forEach(removeProject)
  await first?.close()
  await second?.close()
})

const block = (program: string): string => `import { z } from 'zod'
import { describe, LM, Predict, signature } from 'vitest-simba'
import cases from './cases.json' with { type: 'json' }

const route = signature({
  instructions: 'Pick the queue that should handle the customer support ticket.',
  inputs: { ticket: z.string().describe("The customer's message") },
  outputs: { queue: z.enum(['billing', 'technical', 'account', 'shipping', 'security', 'other']).describe('Queue that handles it') },
})

// Sampled at 0.7: each trial (its own rollout id) may answer differently.
const lm = new LM({ model: 'sim-1', baseURL: process.env.OPENAI_BASE_URL, apiKey: 'test-key', maxRetries: 0, temperature: 0.7, sendRolloutHeader: true })

describe.optimize('routes with trials', {
  program: ${program},
  trainset: cases.dev.slice(0, 16),
  metric: (ex, pred) => (pred.queue === ex.data.queue ? 1 : 0),
  lm,
  trials: 5,
})
`

interface Snap {
  blocks: Record<string, { baseline: { mean: number }; trials?: { k: number; trainset: Record<string, { n: number; scores: number[] }> } }>
}

describe('vitest-simba e2e: trials', () => {
  test('a re-sampled run with flaky cases stays green; a real drop fails naming the cases', async () => {
    const dir = copyProject('tickets')
    dirs.push(dir)
    const file = join(dir, 'trials.test.ts')
    writeFileSync(file, block('() => new Predict(route)'))

    // Baseline: record 5 trials per case and write the snapshot.
    const rec = await run(dir, ['run', 'trials.test.ts', '-u'], { env: { OPENAI_BASE_URL: first?.url } })
    expect(rec.code, rec.output).toBe(0)
    const snap = JSON.parse(readFileSync(join(dir, '__snapshots__', 'trials.test.ts.simba.json'), 'utf8')) as Snap
    const stored = snap.blocks['routes with trials']
    expect(stored?.trials?.k).toBe(5)
    const perCase = Object.values(stored?.trials?.trainset ?? {})
    expect(perCase).toHaveLength(16)
    expect(perCase.every((c) => c.n === 5 && c.scores.length === 5)).toBe(true)

    // CI replays all five trials of every case from the fixtures, byte-clean.
    const replay = await run(dir, ['run', 'trials.test.ts'], { env: { CI: 'true' } })
    expect(replay.code, replay.output).toBe(0)
    expect(replay.output).toContain('fixtures trials.test.ts: 80 replayed, 0 recorded, 0 missing, 0 unused, 0 live')

    // The same program, re-sampled (another salt; its fixtures removed, so it runs live): some cases' trials disagree, and differ
    // from the baseline's, yet the block stays green.
    const fixtures = join(dir, 'fixtures', 'trials.test.ts.lm.json')
    rmSync(fixtures)
    const again = await run(dir, ['run', 'trials.test.ts', '--reporter=json', '--outputFile=again.json'], { env: { OPENAI_BASE_URL: second?.url} })
    expect(again.code, again.output).toBe(0)
    const json = JSON.parse(readFileSync(join(dir, 'again.json'), 'utf8')) as { testResults: Array<{ assertionResults: Array<{ title: string; meta?: { simba?: { status?: string; trials?: { outcomes?: Array<{ score: number }> } } } }> }> }
    const metas = json.testResults.flatMap((f) => f.assertionResults).map((a) => ({ title: a.title, simba: a.meta?.simba }))
    const flaky = metas.filter((m) => m.simba?.status === 'flaky')
    expect(flaky.length).toBeGreaterThan(0)
    const flipped = metas.filter((m) => {
      const now = m.simba?.trials?.outcomes?.map((o) => o.score).join(',')
      const before = stored?.trials?.trainset[m.title]?.scores.join(',')
      return now !== undefined && before !== undefined && now !== before
    })
    expect(flipped.length).toBeGreaterThan(0)
    expect(metas.some((m) => m.simba?.status === 'regressed')).toBe(false)
    expect(scoreTable(again.output).join('\n')).toMatch(/routes with trials\s+trainset\s+16\s+0\.\d{3} ± 0\.\d{3}\s+0\.\d{3}\s+[+-]0\.\d{3}\s+0\s+\d+\s+[1-9]\d*\s/)

    // A real drop (billing and account answers thrown away): the gate fails and names the cases.
    writeFileSync(
      file,
      block(`() => {
    const p = new Predict(route)
    const forward = p.forward.bind(p)
    p.forward = async (inputs) => {
      const out = await forward(inputs)
      return out.queue === 'billing' || out.queue === 'account' ? { ...out, queue: 'other' } : out
    }
    return p
  }`),
    )
    rmSync(fixtures)
    const dropped = await run(dir, ['run', 'trials.test.ts'], { env: { OPENAI_BASE_URL: second?.url} })
    expect(dropped.code, dropped.output).toBe(1)
    expect(dropped.output).toMatch(/block "routes with trials": mean 0\.\d{3} ± 0\.\d{3} on trainset dropped below the baseline 0\.\d{3} by 0\.\d{3}, more than the tolerance 0 and more than sampling noise explains \(permutation test p = 0\.\d{4} < 0\.025\)\. (Regressed cases|Cases that dropped most): "[^"]+" 0\.\d{3} → 0\.000/)
  }, 180_000)
})
