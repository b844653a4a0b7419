import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Report } from '../../src/report/types.js'
import { copyProject, hashTree, removeProject, requireBuild, run, writeProject } from './harness.js'

// The optimization report (`--optimize --report=dir`) is checked in optimize.test.ts, on the dry
// run that test makes anyway.
const dirs: string[] = []
beforeAll(requireBuild)
afterAll(() => dirs.forEach(removeProject))

const read = (file: string): Report => JSON.parse(readFileSync(file, 'utf8')) as Report
/** The tree's hashes without the report folder. */
const treeWithout = (dir: string, folder: string): Record<string, string> => Object.fromEntries(Object.entries(hashTree(dir)).filter(([f]) => !f.startsWith(`${folder}/`)))

describe('vitest-simba e2e: --report', () => {
  test('run --report (no optimization) writes the regression view per test file into simba-report/ and nothing else', async () => {
    const dir = copyProject('tickets')
    dirs.push(dir)
    const before = hashTree(dir)
    const r = await run(dir, ['run', '--report'], { bin: true, env: { CI: 'true' } })
    expect(r.code, r.output).toBe(0)
    expect(r.output).toContain('[simba] routes support tickets: report written to simba-report/tickets.test.ts.report.html')
    expect(readdirSync(join(dir, 'simba-report')).sort()).toEqual(['billing.test.ts.report.html', 'billing.test.ts.report.json', 'tickets.test.ts.report.html', 'tickets.test.ts.report.json'])
    const report = read(join(dir, 'simba-report', 'tickets.test.ts.report.json'))
    expect(report).toMatchObject({ version: 1, file: 'tickets.test.ts' })
    const block = report.blocks[0]
    expect(block?.mode).toBe('regression')
    expect(block?.trajectory).toBeUndefined()
    expect(block?.cases.length).toBeGreaterThan(0)
    for (const c of block?.cases ?? []) {
      expect(c.baselineScore, c.name).not.toBeNull()
      expect(c.input).toMatch(/^\{/)
      expect(c.baselinePrediction).toBeUndefined()
    }
    expect(block?.usage.total.replayed).toBeGreaterThan(0)
    const html = readFileSync(join(dir, 'simba-report', 'tickets.test.ts.report.html'), 'utf8')
    expect(html).toContain('Regression report: tickets.test.ts')
    expect(html.match(/<tr data-filters=/g)).toHaveLength(block?.cases.length ?? -1)
    expect(treeWithout(dir, 'simba-report')).toEqual(before)
  })

  test('two projects with a test file of the same name each get their own report', async () => {
    const testFile = (block: string, answer: string): string => `import { describe } from 'vitest-simba'
describe.optimize(${JSON.stringify(block)}, {
  program: async ({ q }: { q: string }) => ({ a: ${JSON.stringify(answer)} }),
  inputs: ['q'],
  trainset: [{ id: 'one', q: 'hello', a: ${JSON.stringify(answer)} }],
  metric: (ex, pred) => (pred.a === ex.data.a ? 1 : 0),
})
`
    const dir = writeProject('report-projects', {
      'vitest.config.ts': `import { defineConfig } from 'vitest/config'
import { simba } from 'vitest-simba/plugin'
export default defineConfig({ test: { projects: [
  { plugins: [simba()], test: { name: 'a', root: './a', include: ['*.test.ts'] } },
  { plugins: [simba()], test: { name: 'b', root: './b', include: ['*.test.ts'] } },
] } })
`,
      'a/x.test.ts': testFile('block of a', 'A'),
      'b/x.test.ts': testFile('block of b', 'B'),
    })
    dirs.push(dir)
    const r = await run(dir, ['run', '--report'], { bin: true })
    expect(r.code, r.output).toBe(0)
    const a = read(join(dir, 'simba-report', 'a', 'x.test.ts.report.json'))
    const b = read(join(dir, 'simba-report', 'b', 'x.test.ts.report.json'))
    expect([a.file, a.blocks.map((x) => x.block)]).toEqual(['a/x.test.ts', ['block of a']])
    expect([b.file, b.blocks.map((x) => x.block)]).toEqual(['b/x.test.ts', ['block of b']])
    expect(existsSync(join(dir, 'simba-report', 'b', 'x.test.ts.report.html'))).toBe(true)
  })
})
