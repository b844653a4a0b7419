import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { copyProject, hashTree, removeProject, requireBuild, run, writeProject } from './harness.js'

const dirs: string[] = []
beforeAll(requireBuild)
afterAll(() => dirs.forEach(removeProject))

const CONFIG = `import { defineConfig } from 'vitest/config'
import { simba } from 'vitest-simba/plugin'

export default defineConfig({ plugins: [simba()], test: { include: ['*.test.ts'] } })
`

/** A block over a plain async function (no LM); `metric` and `trainset` are source text. */
const testFile = (metric: string, trainset = "[{ id: 'one', q: 'a', a: 'A' }, { id: 'two', q: 'b', a: 'B' }, { id: 'three', q: 'c', a: 'C' }]"): string => `import { describe } from 'vitest-simba'

describe.optimize('shouts', {
  program: async ({ q }: { q: string }) => ({ a: q.toUpperCase() }),
  inputs: ['q'],
  trainset: ${trainset},
  metric: ${metric},
})
`
const GOOD = '(ex, pred) => (pred.a === ex.data.a ? 1 : 0)'

/** A copy of the plain-function project (committed snapshot) with its metric replaced by `metric` (source text). */
function withMetric(metric: string): string {
  const dir = copyProject('plain-function')
  dirs.push(dir)
  const file = join(dir, 'shout.test.ts')
  const text = readFileSync(file, 'utf8')
  const next = text.replace(/ {2}metric: .*\n/, `  metric: ${metric},\n`)
  expect(next).not.toBe(text)
  writeFileSync(file, next)
  return dir
}

describe('vitest-simba e2e: bad metrics and datasets in a real run', () => {
  test('a metric that throws for one case fails that case (naming block and case); the others pass; no file changes', async () => {
    const dir = withMetric("(ex, pred) => { if (ex.data.id === 'two') throw new Error('metric boom'); return pred.a === ex.data.a ? 1 : 0 }")
    const before = hashTree(dir)
    for (const env of [{ CI: 'true' }, {}]) {
      const r = await run(dir, ['run'], { env })
      expect(r.code).toBe(1)
      expect(r.output).toContain('case "two" of block "shouts the question" failed: metric threw for case "two": metric boom')
      expect(r.output).toMatch(/ × two/)
      expect(r.output).toMatch(/ ✓ one/)
      expect(r.output).toMatch(/ ✓ three/)
      expect(r.output).toMatch(/ ✓ padded/) // known-failing in the baseline: reported, not failed
      expect(r.output).toMatch(/Tests\s+2 failed \| 3 passed \(5\)/) // the case, and the mean gate (0.5 < baseline 0.75)
      expect(hashTree(dir)).toEqual(before)
    }
  })

  test('a metric returning NaN for one case fails that case, even under -u, and the snapshot is not rewritten', async () => {
    const dir = withMetric("(ex, pred) => (ex.data.id === 'two' ? Number.NaN : pred.a === ex.data.a ? 1 : 0)")
    const before = hashTree(dir)
    const r = await run(dir, ['run', '-u'])
    expect(r.code).toBe(1)
    expect(r.output).toContain('case "two" of block "shouts the question" failed: metric returned NaN (need a score in [0, 1]) for case "two"')
    expect(r.output).toContain('[simba] shouts the question: snapshot not written: 1 case(s) failed to run')
    expect(r.output).toMatch(/ ✓ one/)
    expect(r.output).toMatch(/ ✓ three/)
    expect(hashTree(dir)).toEqual(before)
  })

  test('an empty trainset (or devset) is a clear error naming the block; nothing is written', async () => {
    const dir = writeProject('empty-trainset', { 'vitest.config.ts': CONFIG, 'x.test.ts': testFile(GOOD, '[]') })
    dirs.push(dir)
    const before = hashTree(dir)
    const r = await run(dir, ['run'])
    expect(r.code).toBe(1)
    expect(r.output).toContain('describe.optimize("shouts"): invalid options')
    expect(r.output).toContain('option "trainset": needs at least one case')
    expect(hashTree(dir)).toEqual(before)

    writeFileSync(join(dir, 'x.test.ts'), testFile(GOOD).replace("inputs: ['q'],", "inputs: ['q'],\n  devset: [],"))
    const before2 = hashTree(dir)
    const r2 = await run(dir, ['run', '-u'])
    expect(r2.code).toBe(1)
    expect(r2.output).toContain('describe.optimize("shouts"): invalid options')
    expect(r2.output).toContain('option "devset": needs at least one case when given')
    expect(hashTree(dir)).toEqual(before2)
  })
})
