import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { HistoryRecord } from '../../src/history/types.js'
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
    // Every case carries its trace: the LM calls replayed from the fixtures, with messages, completion and parsed outputs.
    expect(block?.traces).toEqual({ kept: block?.cases.length, leftOut: 0 })
    for (const c of block?.cases ?? []) {
      const lm = (c.calls ?? []).filter((x) => x.kind === 'lm')
      expect(lm.length, c.name).toBeGreaterThan(0)
      for (const call of lm) {
        expect(call, c.name).toMatchObject({ origin: 'replayed', completion: expect.stringContaining('[[ ## completed ## ]]') })
        expect(call.messages[0]?.role).toBe('system')
        expect(call.outputs ?? call.parseError).toEqual(expect.any(String))
      }
    }
    const html = readFileSync(join(dir, 'simba-report', 'tickets.test.ts.report.html'), 'utf8')
    expect(html).toContain('Regression report: tickets.test.ts')
    expect(html.match(/<tr data-filters=/g)).toHaveLength(block?.cases.length ?? -1)
    expect(html.match(/<tr class="trace-row"/g)).toHaveLength(block?.cases.length ?? -1)
    expect(treeWithout(dir, 'simba-report')).toEqual(before)

    // `inspect` reads that report back without running anything: one case's trace, a near name for a typo.
    const first = block?.cases[0]
    const one = await run(dir, ['inspect', 'tickets.test.ts', '--case', first?.name ?? ''], { bin: true })
    expect(one.code, one.output).toBe(0)
    expect(one.output).toContain(`case "${first?.name}"`)
    expect(one.output).toMatch(/#1 LM call of .+ \(.+\) \[replayed, \d+ \+ \d+ tokens\]/)
    expect(one.output).toContain('--- completion ---')
    const missing = await run(dir, ['inspect', 'tickets.test.ts', '--case', `${first?.name}x`], { bin: true })
    expect(missing.code).toBe(1)
    expect(missing.output).toContain(`Near names: "${first?.name}"`)
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

    // The same project, run again locally after a's answer changed: every local run appends one
    // history line per block (in one file under the run's root, gitignored), and the report draws the
    // last runs and names the case that went from pass to fail. --summary writes the Markdown summary.
    const history = join(dir, '.vitest-simba', 'history.jsonl')
    expect(readFileSync(history, 'utf8').trim().split('\n')).toHaveLength(2)
    expect(readFileSync(join(dir, '.vitest-simba', '.gitignore'), 'utf8')).toMatch(/^\*$/m)
    writeFileSync(join(dir, 'a', 'x.test.ts'), testFile('block of a', 'A').replace('({ a: "A" })', '({ a: "Z" })'))
    const again = await run(dir, ['run', '--report', '--summary', 'summary.md'], { bin: true })
    expect(again.code, again.output).toBe(1)
    const records = readFileSync(history, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HistoryRecord)
    expect(records.map((x) => [x.project, x.file, x.block, x.means.trainset, x.cases.trainset])).toEqual(
      expect.arrayContaining([
        ['a', 'a/x.test.ts', 'block of a', 1, { one: 1 }],
        ['b', 'b/x.test.ts', 'block of b', 1, { one: 1 }],
        ['a', 'a/x.test.ts', 'block of a', 0, { one: 0 }],
        ['b', 'b/x.test.ts', 'block of b', 1, { one: 1 }],
      ]),
    )
    expect(records).toHaveLength(4)
    const page = readFileSync(join(dir, 'simba-report', 'a', 'x.test.ts.report.html'), 'utf8')
    expect(page).toContain('<svg class="chart history"')
    expect(page.match(/<circle class="run[^"]*"/g)).toHaveLength(2)
    expect(page).toContain('Mean on trainset over the last 2 runs (oldest first): 1.000 → 0.000.')
    expect(page).toMatch(/1 case changed since the previous run \([^)]*\):<\/p><table class="history-changed">.*<td>one<\/td><td><span class="state state-pass">pass<\/span> → <span class="state state-fail">fail<\/span>/)
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8')
    expect(summary).toContain('## vitest-simba: 1 of 2 blocks failed')
    expect(summary).toContain('| ❌ | block of a | x.test.ts | trainset | 0.000 | 1.000 | -1.000 | 1 | 0 | 0 |')
    expect(summary).toContain('**block of a** (x.test.ts): 1 regressed case\n\n- one: 1 → 0')
    expect(summary).toContain('HTML reports: `simba-report/a/x.test.ts.report.html`, `simba-report/b/x.test.ts.report.html`')
  })
})
