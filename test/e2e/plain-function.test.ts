import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { copyProject, hashTree, removeProject, requireBuild, run, scoreTable } from './harness.js'

const dirs: string[] = []
const project = (): string => {
  const d = copyProject('plain-function')
  dirs.push(d)
  return d
}
beforeAll(requireBuild)
afterAll(() => dirs.forEach(removeProject))

const NOTE = '[simba] shouts the question: the program is a plain function, so there is nothing to optimize (regression tests only)'

describe('vitest-simba e2e: a plain async-function program (regression tests only)', () => {
  test('CI=true vitest run passes from the committed snapshot and changes no file', async () => {
    const dir = project()
    const before = hashTree(dir)
    const r = await run(dir, ['run'], { env: { CI: 'true' } })
    expect(r.code, r.output).toBe(0)
    expect(r.output).toMatch(/Tests\s+5 passed \(5\)/)
    expect(scoreTable(r.output).join('\n')).toMatch(/shouts the question\s+trainset\s+4\s+0\.750\s+0\.750\s+\+0\.000\s+0\s+0\s+0\/0/)
    expect(r.output).not.toContain('nothing to optimize')
    expect(hashTree(dir)).toEqual(before)
  })

  test('a regression of the function fails in CI, naming the case', async () => {
    const dir = project()
    const file = join(dir, 'shout.test.ts')
    writeFileSync(file, readFileSync(file, 'utf8').replace('q.toUpperCase()', "q === 'hello' ? 'hello' : q.toUpperCase()"))
    const before = hashTree(dir)
    const r = await run(dir, ['run'], { env: { CI: 'true' } })
    expect(r.code).toBe(1)
    expect(r.output).toContain('case "one" of block "shouts the question" regressed: score 0 vs baseline 1 (trainset)')
    expect(r.output).toMatch(/Tests\s+2 failed \| 3 passed \(5\)/) // the case and the mean gate
    expect(hashTree(dir)).toEqual(before)
  })

  test('--optimize (and --optimize -u) skips optimization with a note, still runs the cases, writes nothing', async () => {
    const dir = project()
    const before = hashTree(dir)
    for (const args of [['run', '--optimize'], ['run', '--optimize', '-u']]) {
      const r = await run(dir, args, { bin: true })
      expect(r.code, r.output).toBe(0)
      expect(r.output).toContain(NOTE)
      expect(r.output).not.toMatch(/SimbaError|\[simba\] proposed program|step 1/)
      expect(r.output).toContain('[simba] shouts the question: snapshot unchanged')
      expect(r.output).toMatch(/Tests\s+5 passed \(5\)/)
      expect(hashTree(dir)).toEqual(before)
    }
  })
})

