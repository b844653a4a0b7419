/**
 * The trust rules, end to end: real Vitest spawned on small projects that record against the
 * simulated provider, then replay in CI. Each test reproduces a way a green run could lie.
 */
import { createServer } from 'node:http'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, test } from 'vitest'
import { listFiles, run, scoreTable, useSimulatorProjects, writeProject } from '../e2e/harness.js'
import { HANG_GUARD_MS } from '../helpers/wait.js'

const dirs: string[] = []
const sim = useSimulatorProjects(dirs)
const KEY = 'sk-local-simulator-key-000'
const local = (): Record<string, string> => ({ OPENAI_BASE_URL: sim.url(), OPENAI_API_KEY: KEY })

const CONFIG = `import { defineConfig } from 'vitest/config'
import { simba } from 'vitest-simba/plugin'
export default defineConfig({ plugins: [simba({ optimize: { seed: 1, bsize: 4, numCandidates: 2, maxSteps: 2 } })], test: { include: ['*.test.ts'] } })
`
const INSTRUCTIONS = 'Pick the queue that should handle the customer support ticket.'

interface Row {
  ticket: string
  lang: string
  queue: string
  id?: string
}
const ROWS: { train: Row[]; dev: Row[] } = {
  train: [
    { ticket: 'I was charged twice for my order.', lang: 'en', queue: 'billing' },
    { ticket: 'I was charged twice for my order.', lang: 'de', queue: 'billing' },
    { ticket: 'The app crashes when I open settings.', lang: 'en', queue: 'technical' },
    { ticket: 'Where is my parcel? It has been two weeks.', lang: 'en', queue: 'shipping' },
  ],
  dev: [
    { ticket: 'Someone logged into my account from another country.', lang: 'en', queue: 'security' },
    { ticket: 'Someone logged into my account from another country.', lang: 'fr', queue: 'security' },
    { ticket: 'Please refund the duplicate payment.', lang: 'en', queue: 'billing' },
    { ticket: 'My invoice shows the wrong VAT number.', lang: 'en', queue: 'billing' },
    { ticket: 'The parcel arrived damaged.', lang: 'es', queue: 'shipping' },
  ],
}

/** A test file with one or more blocks over rows.json (two inputs: ticket and lang). */
function testFile(opts: { instructions?: string; blocks?: string[]; metric?: string; extra?: string; program?: string } = {}): string {
  const blocks = opts.blocks ?? ['alpha']
  return `import { z } from 'zod'
import { describe, LM, Predict, signature } from 'vitest-simba'
import rows from './rows.json' with { type: 'json' }

const route = signature({
  instructions: ${JSON.stringify(opts.instructions ?? INSTRUCTIONS)},
  inputs: { ticket: z.string().describe("The customer's message"), lang: z.string().describe('Language code') },
  outputs: { queue: z.enum(['billing', 'technical', 'account', 'shipping', 'security', 'other']) },
})
const lm = new LM({ model: 'sim-1', baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY ?? 'test-key', maxRetries: 0, timeoutMs: 600_000 })
${blocks
  .map(
    (name) => `describe.optimize(${JSON.stringify(name)}, {
  program: ${opts.program ?? '() => new Predict(route)'},
  trainset: rows.train,
  devset: rows.dev,
  metric: ${opts.metric ?? '(ex, pred) => (pred.queue === ex.data.queue ? 1 : 0)'},
  lm,
})`,
  )
  .join('\n')}
${opts.extra ?? ''}
`
}

function project(name: string, files: Record<string, string> = {}): string {
  const dir = writeProject(name, { 'vitest.config.ts': CONFIG, 'rows.json': JSON.stringify(ROWS, null, 2), 'trust.test.ts': testFile(), ...files })
  dirs.push(dir)
  return dir
}

/** Every file under `dir` (relative path → text), node_modules excluded. */
const tree = (dir: string): Record<string, string> => Object.fromEntries(listFiles(dir).map((p) => [relative(dir, p), readFileSync(p, 'utf8')]))

const snapshot = (dir: string): { version: number; blocks: Record<string, { baseline: { trainset: { cases: Record<string, number> } }; program: Record<string, { instructions: string[] }> }> } =>
  JSON.parse(readFileSync(join(dir, '__snapshots__', 'trust.test.ts.simba.json'), 'utf8'))

// Each test has its own project and spawns its own Vitest runs, so they can overlap.
describe.concurrent('trust rules end to end', () => {
  test('rule 1: an instruction edited in code is never hidden by the snapshot: CI fails naming the change, -u takes the code', async () => {
    const dir = project('trust-edit')
    const first = await run(dir, ['run'], { env: local() })
    expect(first.code, first.output).toBe(0)
    expect(snapshot(dir).version).toBe(2)

    writeFileSync(join(dir, 'trust.test.ts'), testFile({ instructions: 'Pick the queue for the ticket. Prefer billing when money is mentioned.' }))
    const stale = await run(dir, ['run'], { env: { CI: 'true' } })
    expect(stale.code).toBe(1)
    // The code is in the printed message (not only in a source frame); every removed and added line is shown.
    expect(stale.output).toContain('SimbaError: [vitest-simba] SIMBA_SNAPSHOT_STALE: block "alpha"')
    expect(stale.output).toContain(
      [
        '  predictor "self": instructions changed at line 1:',
        '    - line 1: "Pick the queue that should handle the customer support ticket."',
        '    + line 1: "Pick the queue for the ticket."',
        '    + line 2: "Prefer billing when money is mentioned."',
      ].join('\n'),
    )
    expect(stale.output).toContain('npx vitest run -u')
    expect(stale.output).toContain('npx vitest-simba --optimize -u')

    // Locally without -u: the code's program runs against the stored baseline, with a notice; nothing is accepted.
    const notice = await run(dir, ['run'], { env: local() })
    expect(notice.output).toMatch(/SIMBA_SNAPSHOT_STALE: snapshot __snapshots__\/trust\.test\.ts\.simba\.json is stale: the code changed since it was written\. .* What changed:\n {2}predictor "self": instructions changed at line 1:\n {4}- line 1: /)
    expect(snapshot(dir).blocks['alpha']?.program['self']?.instructions).toEqual([INSTRUCTIONS])

    const accept = await run(dir, ['run', '-u'], { env: local() })
    expect(accept.code, accept.output).toBe(0)
    const lines = snapshot(dir).blocks['alpha']?.program['self']?.instructions
    expect(lines).toEqual(['Pick the queue for the ticket. ', 'Prefer billing when money is mentioned.'])
    const again = await run(dir, ['run'], { env: { CI: 'true' } })
    expect(again.code, again.output).toBe(0)
  })

  test('rule 2: re-ordering a split changes no verdict (rows whose first input repeats keep their identity); identical inputs are an error', async () => {
    const dir = project('trust-order')
    const first = await run(dir, ['run'], { env: local() })
    expect(first.code, first.output).toBe(0)
    const names = Object.keys(snapshot(dir).blocks['alpha']?.baseline.trainset.cases ?? {})
    expect(new Set(names).size).toBe(4)
    expect(names.filter((n) => n.startsWith('I was charged twice for my order. #'))).toHaveLength(2)

    writeFileSync(join(dir, 'rows.json'), JSON.stringify({ train: [...ROWS.train].reverse(), dev: [...ROWS.dev].reverse() }, null, 2))
    const before = tree(dir)
    const reversed = await run(dir, ['run'], { env: { CI: 'true' } })
    expect(reversed.code, reversed.output).toBe(0)
    expect(reversed.output).not.toMatch(/regressed: score|moved:/)
    expect(tree(dir)).toEqual(before)

    writeFileSync(join(dir, 'rows.json'), JSON.stringify({ train: [...ROWS.train, ROWS.train[0]], dev: ROWS.dev }, null, 2))
    const dup = await run(dir, ['run'], { env: { CI: 'true' } })
    expect(dup.code).toBe(1)
    expect(dup.output).toMatch(/trainset rows #0 and #4 have identical inputs .*Give them ids/)
  })

  test('rules 3 and 4: a key in the data reaches no file and no printed line; scores outside [0, 1] are errors, never averaged in', async () => {
    const secret = 'sk-proj-' + 'Zq9xW2vB7nM4kL1pR8tY5uI3oE6aS0dF'.repeat(3)
    const rows = { train: [...ROWS.train, { ticket: `My API key ${secret} stopped working`, lang: 'en', queue: 'technical' }], dev: ROWS.dev }
    const dir = project('trust-secret', {
      'rows.json': JSON.stringify(rows, null, 2),
      'trust.test.ts': testFile({ blocks: ['alpha'] }),
      // A demo copied from the row with the key: the snapshot write must be refused, naming that case.
      'demo.test.ts': testFile({ blocks: ['demo'], program: '() => { const p = new Predict(route); p.demos = [{ ...rows.train[4], queue: "technical" }]; return p }' }),
      'scale.test.ts': testFile({ blocks: ['scaled'], metric: "(ex, pred) => (ex.data.lang === 'en' ? 5 : -1)" }),
      // A block named after the row with the key: refused before it runs, so no artifact carries the name.
      'named.test.ts': testFile({ blocks: [], extra: "describe.optimize('routes ' + rows.train[4].ticket, { program: () => new Predict(route), trainset: rows.train.slice(0, 2), metric: () => 1, lm })" }),
    })
    const r = await run(dir, ['run', '--reporter=default', '--reporter=json', '--outputFile.json=report.json', '--reporter=junit', '--outputFile.junit=junit.xml'], { env: local() })
    expect(r.code).toBe(1)
    expect(r.output).toContain('SIMBA_SECRET')
    expect(r.output).toContain('request.body.messages')
    expect(r.output).toMatch(/refusing to write __snapshots__\/demo\.test\.ts\.simba\.json: program\.self\.demos\[0\]\.ticket holds a OpenAI-style key .*from trainset case "My API key \[masked OpenAI-style key/)
    expect(existsSync(join(dir, '__snapshots__', 'demo.test.ts.simba.json'))).toBe(false)
    expect(r.output).toMatch(/metric returned 5, outside \[0, 1\]/)
    expect(r.output).toMatch(/metric returned -1, outside \[0, 1\]/)
    expect(r.output).not.toContain(secret)
    expect(r.output).not.toContain(secret.slice(0, 20))
    const files = tree(dir)
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['report.json', 'junit.xml', 'fixtures/trust.test.ts.lm.json']))
    for (const [name, text] of Object.entries(files)) {
      if (name === 'rows.json') continue
      expect(text, name).not.toContain(secret.slice(0, 20))
    }
    // The clean recordings of the file were kept; only the entry with the key was refused.
    expect(Object.keys(JSON.parse(files['fixtures/trust.test.ts.lm.json'] ?? '{}').entries).length).toBeGreaterThanOrEqual(9)
    // No mean was computed from out-of-range scores: the block has no snapshot.
    expect(existsSync(join(dir, '__snapshots__', 'scale.test.ts.simba.json'))).toBe(false)
    // A secret in a block name: one clear error naming the block masked, and nothing else carries the name.
    expect(r.output).toContain('describe.optimize("routes My API key [masked OpenAI-style key (sk-…)] stopped working"): the block name holds a OpenAI-style key')
    expect(r.output).toContain('rename the block')
    expect(existsSync(join(dir, '__snapshots__', 'named.test.ts.simba.json'))).toBe(false)
    expect(scoreTable(r.output).join('\n')).toContain('alpha')
    expect(scoreTable(r.output).join('\n')).not.toContain('routes')
    const json = JSON.parse(files['report.json'] ?? '{}') as { testResults: Array<{ name: string; status: string; message: string }> }
    const named = json.testResults.find((f) => f.name.endsWith('named.test.ts'))
    expect(named?.status).toBe('failed')
    expect(named?.message).toContain('describe.optimize("routes My API key [masked OpenAI-style key (sk-…)] stopped working"): the block name holds')
  })

  test('rule 5: two runs updating the same test file at once (-t alpha, -t beta) both land: fixtures and snapshot merge', async () => {
    // A barrier in the metric holds each run until the other has reached its metric too: by then
    // both have read the fixture and snapshot files and neither has written its snapshot, so the
    // runs overlap however the machine schedules them (a fixed sleep only made that likely).
    const metric = 'async (ex, pred) => { await bothRunsHere(); return pred.queue === ex.data.queue ? 1 : 0 }'
    const barrier = `import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
let met
function bothRunsHere() {
  const dir = new URL('./barrier/', import.meta.url)
  return (met ??= (async () => {
    mkdirSync(dir, { recursive: true })
    writeFileSync(new URL(String(process.pid), dir), '')
    const deadline = Date.now() + ${HANG_GUARD_MS}
    while (readdirSync(dir).length < 2) {
      if (Date.now() > deadline) throw new Error('the other run never reached its metric')
      await new Promise((r) => setTimeout(r, 10))
    }
  })())
}
`
    const dir = project('trust-concurrent', { 'trust.test.ts': testFile({ blocks: ['alpha', 'beta'], instructions: 'Route the ticket.', metric, extra: barrier }) })
    const [a, b] = await Promise.all([run(dir, ['run', '-t', 'alpha'], { env: local() }), run(dir, ['run', '-t', 'beta'], { env: local() })])
    expect(a?.code, a?.output).toBe(0)
    expect(b?.code, b?.output).toBe(0)
    // Both runs passed the barrier: they did overlap.
    expect(readdirSync(join(dir, 'barrier'))).toHaveLength(2)
    expect(Object.keys(snapshot(dir).blocks).sort()).toEqual(['alpha', 'beta'])
    expect(readdirSync(join(dir, 'fixtures')).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock'))).toEqual([])
    // Both blocks replay in CI: nothing either run recorded was lost.
    const ci = await run(dir, ['run'], { env: { CI: 'true' } })
    expect(ci.code, ci.output).toBe(0)
  })

  test('rule 7: the plugin leaves requests to other hosts alone (a test of the user talking to its own server passes)', async () => {
    const server = createServer((_req, res) => res.end('pong'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    try {
      const dir = project('trust-hosts', {
        'own.test.ts': `import { expect, test } from 'vitest'
test('my own server', async () => {
  const res = await fetch('http://127.0.0.1:${port}/ping')
  expect(await res.text()).toBe('pong')
})
`,
      })
      const r = await run(dir, ['run', 'own.test.ts'], { env: { CI: 'true' } })
      expect(r.code, r.output).toBe(0)
    } finally {
      server.close()
    }
  })
})
