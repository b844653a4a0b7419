/**
 * A full disk never costs a file its good version: a child process with a small file-size limit
 * (`ulimit -f`, so the kernel cuts writes short and then fails them with EFBIG, as a full disk does
 * with ENOSPC) rewrites a plain file, a fixture file and a snapshot file through the built package.
 * Every old file stays byte-identical, no temp file is left, and each error names the file and the
 * cause. A real Vitest run under the same limit, whose fixtures cannot be written, fails its block
 * naming the fixture file and does not write the snapshot that depends on them. Both import
 * `dist/`: run `npm run build` first.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import { cleanEnv, listFiles, removeProject, requireBuild, ROOT, useSimulatorProjects, writeProject } from '../e2e/harness.js'

const dirs: string[] = []
const projects: string[] = []
const sim = useSimulatorProjects(projects)
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** File-size limit of the child, in 1 KiB blocks (bash's `ulimit -f` unit). */
const LIMIT_KB = 16

/**
 * The child: each scenario rewrites an existing small file with content larger than the limit and
 * prints what it threw (or that it did not throw).
 */
const CHILD = `
const [dist, dir] = process.argv.slice(1)
const { writeFileAtomic } = await import(dist + '/internal/fs/atomic-write.js')
const { FixtureFileStore } = await import(dist + '/recording/store.js')
const { SnapshotStore } = await import(dist + '/snapshot/store.js')
const big = 'x'.repeat(${LIMIT_KB * 1024 * 3})
const out = {}
const attempt = async (name, fn) => {
  try { await fn(); out[name] = { threw: false } } catch (e) { out[name] = { threw: true, code: e.code, message: e.message } }
}
await attempt('plain', () => writeFileAtomic(dir + '/plain.json', JSON.stringify({ big }) + '\\n'))
await attempt('fixture', async () => {
  const store = new FixtureFileStore(dir + '/fixtures/a.test.ts.lm.json', 'a.test.ts', 'record-missing')
  store.add('f'.repeat(64), {
    request: { method: 'POST', path: '/chat/completions', body: { big } },
    response: { status: 200, headers: { 'content-type': 'application/json' }, body: { ok: true } },
    provenance: { model: 'm', recordedAt: '2026-01-01T00:00:00.000Z', library: 'vitest-simba@0.0.0' },
  })
  await store.flush({ final: true })
})
await attempt('snapshot', () => {
  const store = SnapshotStore.load(dir + '/__snapshots__/a.test.ts.simba.json', 'all')
  store.set('b', {
    program: { self: { instructions: big, demos: [] } },
    baseline: { split: 'trainset', mean: 1, trainset: { mean: 1, cases: { a: 1 } } },
    provenance: { model: 'm', optimizer: 'baseline', library: 'vitest-simba@0.0.0', date: '2026-01-01' },
    source: null,
    promptHash: 'h',
  })
  store.flush()
})
process.stdout.write(JSON.stringify(out))
`

/**
 * Runs `node ...args` under `ulimit -f limitKb` with SIGXFSZ ignored (a write past the limit is cut
 * short, the next one fails with EFBIG, instead of the signal killing the process).
 */
function runLimited(limitKb: number, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `trap '' XFSZ; ulimit -f ${limitKb}; exec "$@"`
  const child = spawn('bash', ['-c', script, 'bash', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const FIXTURE = `${JSON.stringify(
  {
    version: 1,
    entries: {
      ['0'.repeat(64)]: {
        provenance: { library: 'vitest-simba@0.0.0', model: 'm', recordedAt: '2026-01-01T00:00:00.000Z' },
        request: { body: { n: 1 }, method: 'POST', path: '/chat/completions' },
        response: { body: { ok: true }, headers: { 'content-type': 'application/json' }, status: 200 },
      },
    },
  },
  null,
  2,
)}\n`
const SNAPSHOT = `${JSON.stringify(
  {
    blocks: {
      b: {
        baseline: { mean: 0.5, split: 'trainset', trainset: { cases: { a: 0.5 }, mean: 0.5 } },
        program: { self: { demos: [], instructions: ['Do it.'] } },
        promptHash: 'h',
        provenance: { date: '2026-01-01', library: 'vitest-simba@0.0.0', model: 'm', optimizer: 'baseline' },
        source: null,
      },
    },
    version: 1,
  },
  null,
  2,
)}\n`

describe('a full disk never replaces a good file', () => {
  test('plain, fixture and snapshot writes cut short by the file-size limit keep the old file and name the file and EFBIG', async () => {
    requireBuild()
    const dir = mkdtempSync(join(tmpdir(), 'simba-disk-full-'))
    dirs.push(dir)
    const files = {
      plain: join(dir, 'plain.json'),
      fixture: join(dir, 'fixtures', 'a.test.ts.lm.json'),
      snapshot: join(dir, '__snapshots__', 'a.test.ts.simba.json'),
    }
    const before = { plain: '{"good": true}\n', fixture: FIXTURE, snapshot: SNAPSHOT }
    for (const [k, f] of Object.entries(files)) {
      mkdirSync(join(f, '..'), { recursive: true })
      writeFileSync(f, before[k as keyof typeof before])
    }

    const r = await runLimited(LIMIT_KB, ['--input-type=module', '-e', CHILD, pathToFileURL(join(ROOT, 'dist')).href, dir])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as Record<string, { threw: boolean; code?: string; message?: string }>
    for (const k of Object.keys(files) as (keyof typeof files)[]) {
      expect(out[k]?.threw, k).toBe(true)
      expect(out[k]?.code, k).toBe('SIMBA_WRITE')
      expect(out[k]?.message, k).toContain(files[k])
      expect(out[k]?.message, k).toContain('EFBIG')
      expect(out[k]?.message, k).toMatch(/left unchanged/)
      expect(readFileSync(files[k], 'utf8'), k).toBe(before[k])
      expect(readdirSync(join(files[k], '..')).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock')), k).toEqual([])
    }
    // The fixture error says which test file's recordings were not saved.
    expect(out['fixture']?.message).toContain('a.test.ts')
  })
})

const PROJECT_TEST = `import { z } from 'zod'
import { describe, LM, Predict, signature } from 'vitest-simba'

const route = signature({
  instructions: 'Pick the queue that should handle the customer support ticket.',
  inputs: { ticket: z.string().describe("The customer's message") },
  outputs: { queue: z.enum(['billing', 'technical', 'account', 'shipping', 'security', 'other']) },
})
const lm = new LM({ model: 'sim-1', baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0 })
describe.optimize('alpha', {
  program: () => new Predict(route),
  // Long tickets: one recording alone is larger than the run's file-size limit.
  trainset: ['I was charged twice for my order.', 'The app crashes when I open settings.'].map((t, i) => ({
    ticket: t + ' More details follow.'.repeat(7_000),
    queue: ['billing', 'technical'][i],
  })),
  metric: (ex, pred) => (pred.queue === ex.data.queue ? 1 : 0),
  lm,
})
`

describe('a run that cannot write its fixtures', () => {
  test('fails the block naming the fixture file and the cause, and writes no snapshot without its fixtures', async () => {
    const dir = writeProject('disk-full', {
      'vitest.config.ts': "import { defineConfig } from 'vitest/config'\nimport { simba } from 'vitest-simba/plugin'\nexport default defineConfig({ plugins: [simba()], test: { include: ['*.test.ts'] } })\n",
      'route.test.ts': PROJECT_TEST,
    })
    projects.push(dir)
    // Each recording (~150 KB) is larger than the limit; the snapshot (~2 KB) and Vitest's own files fit.
    const env = cleanEnv({ OPENAI_BASE_URL: sim.url(), OPENAI_API_KEY: 'sk-local-simulator-key-000' })
    const r = await runLimited(128, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], { cwd: dir, env })
    const output = `${r.stdout}\n${r.stderr}`
    expect(r.code, output).toBe(1)
    expect(output).toContain('SIMBA_WRITE')
    expect(output).toMatch(/block "alpha": __snapshots__\/route\.test\.ts\.simba\.json was not written, because the 2 recording\(s\) of \S*route\.test\.ts were not saved: could not write \S*fixtures\/route\.test\.ts\.lm\.json: EFBIG/)
    const left = listFiles(dir).map((p) => p.slice(dir.length + 1))
    expect(left).not.toContain('__snapshots__/route.test.ts.simba.json')
    expect(left).not.toContain('fixtures/route.test.ts.lm.json')
    expect(left.filter((n) => n.endsWith('.tmp') || n.endsWith('.lock'))).toEqual([])
    removeProject(dir)
  })
})
