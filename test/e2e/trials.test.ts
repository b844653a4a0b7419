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

const FILE = `import { z } from 'zod'
import { describe, LM, Predict, signature } from 'vitest-simba'
import cases from './cases.json' with { type: 'json' }

const route = signature({
  instructions: 'Pick the queue that should handle the customer support ticket.',
  inputs: { ticket: z.string().describe("The customer's message") },
  outputs: { queue: z.enum(['billing', 'technical', 'account', 'shipping', 'security', 'other']).describe('Queue that handles it') },
})

// Sampled at 0.7: each trial (its own rollout id) may answer differently.
const lm = new LM({ model: 'sim-1', baseURL: process.env.OPENAI_BASE_URL, apiKey: 'test-key', maxRetries: 0, temperature: 0.7, sendRolloutHeader: true })
const metric = (ex, pred) => (pred.queue === ex.data.queue ? 1 : 0)

describe.optimize('routes with trials', { program: () => new Predict(route), trainset: cases.dev.slice(0, 16), metric, lm, trials: 5 })

// Same prompts; with DEGRADE set, billing and account answers are thrown away (a real drop).
describe.optimize('routes with trials, degraded', {
  program: () => {
    const p = new Predict(route)
    const forward = p.forward.bind(p)
    p.forward = async (inputs) => {
      const out = await forward(inputs)
      return process.env.DEGRADE && (out.queue === 'billing' || out.queue === 'account') ? { ...out, queue: 'other' } : out
    }
    return p
  },
  trainset: cases.dev.slice(0, 16),
  metric,
  lm,
  trials: 5,
})
`

interface Snap {
  blocks: Record<string, { trials?: { k: number; trainset: Record<string, { n: number; scores: number[] }> } }>
}
interface JsonReport {
  testResults: Array<{
    assertionResults: Array<{ title: string; ancestorTitles: string[]; status: string; failureMessages: string[]; meta?: { simba?: { kind?: string; status?: string; trials?: { outcomes?: Array<{ score: number }> } } } }>
  }>
}

describe('vitest-simba e2e: trials', () => {
  test('re-sampled, a block with flaky cases stays green while a real drop fails naming the cases', async () => {
    const dir = copyProject('tickets')
    dirs.push(dir)
    writeFileSync(join(dir, 'trials.test.ts'), FILE)

    // Baseline: record 5 trials per case and write the snapshot.
    const rec = await run(dir, ['run', 'trials.test.ts', '-u'], { env: { OPENAI_BASE_URL: first?.url } })
    expect(rec.code, rec.output).toBe(0)
    // The two blocks send the same prompts: the second one's calls are LM cache hits.
    expect(rec.output).toContain('fixtures trials.test.ts: 0 replayed, 80 recorded, 0 missing, 0 unused, 0 live')
    const snap = JSON.parse(readFileSync(join(dir, '__snapshots__', 'trials.test.ts.simba.json'), 'utf8')) as Snap
    const stored = snap.blocks['routes with trials']
    expect(stored?.trials?.k).toBe(5)
    const perCase = Object.values(stored?.trials?.trainset ?? {})
    expect(perCase).toHaveLength(16)
    expect(perCase.every((c) => c.n === 5 && c.scores.length === 5)).toBe(true)

    // Re-sampled (another salt; fixtures removed, so the calls go live), one block degraded.
    rmSync(join(dir, 'fixtures', 'trials.test.ts.lm.json'))
    const again = await run(dir, ['run', 'trials.test.ts', '--reporter=json', '--outputFile=again.json', '--reporter=default'], { env: { OPENAI_BASE_URL: second?.url, DEGRADE: '1' } })
    expect(again.code, again.output).toBe(1)
    const json = JSON.parse(readFileSync(join(dir, 'again.json'), 'utf8')) as JsonReport
    const tests = json.testResults.flatMap((f) => f.assertionResults)
    const steady = tests.filter((t) => t.ancestorTitles.at(-1) === 'routes with trials')
    const dropped = tests.filter((t) => t.ancestorTitles.at(-1) === 'routes with trials, degraded')
    expect(steady).toHaveLength(17)
    expect(dropped).toHaveLength(17)

    // The unchanged block: some cases' trials disagree and differ from the baseline's; all green.
    expect(steady.filter((t) => t.status !== 'passed').map((t) => t.failureMessages)).toEqual([])
    expect(steady.filter((t) => t.meta?.simba?.status === 'flaky').length).toBeGreaterThan(0)
    const flipped = steady.filter((t) => {
      const now = t.meta?.simba?.trials?.outcomes?.map((o) => o.score).join(',')
      const before = stored?.trials?.trainset[t.title]?.scores.join(',')
      return now !== undefined && before !== undefined && now !== before
    })
    expect(flipped.length).toBeGreaterThan(0)
    expect(scoreTable(again.output).join('\n')).toMatch(/routes with trials\s+trainset\s+16\s+0\.\d{3} ± 0\.\d{3}\s+0\.\d{3}\s+[+-]0\.\d{3}\s+0\s+\d+\s+[1-9]\d*\s/)

    // The degraded block: its mean test fails, naming the cases that dropped.
    const gate = dropped.find((t) => t.title === 'mean score')
    expect(gate?.status).toBe('failed')
    expect(gate?.failureMessages.join('\n')).toMatch(
      /block "routes with trials, degraded": mean 0\.\d{3} ± 0\.\d{3} on trainset dropped below the baseline 0\.\d{3} by 0\.\d{3}, more than the tolerance 0 and more than sampling noise explains \(permutation test p = 0\.\d{4} < 0\.025\)\. (Regressed cases|Cases that dropped most): "[^"]+" 0\.\d{3} → 0\.000/,
    )
  })
})
