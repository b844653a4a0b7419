import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { ROOT, requireBuild, runNode } from './harness.js'

beforeAll(requireBuild)

/** sha256 of every git-tracked file under the given folders, by path. */
function hashTracked(folders: string[]): Record<string, string> {
  const files = execFileSync('git', ['ls-files', '-z', '--', ...folders], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean)
  return Object.fromEntries(files.map((f) => [f, createHash('sha256').update(readFileSync(join(ROOT, f))).digest('hex')]))
}

describe("vitest-simba e2e: the README's main command", () => {
  test('node examples/support-tickets/optimize.mjs improves the devset by >= 0.25 and changes no tracked example file', async () => {
    const folders = ['examples', 'fixtures/examples']
    const before = hashTracked(folders)
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['examples/support-tickets/__snapshots__/tickets.test.ts.simba.json', 'fixtures/examples/support-tickets/tickets.test.ts.lm.json']))

    const r = await runNode(ROOT, join(ROOT, 'examples', 'support-tickets', 'optimize.mjs'), [])
    expect(r.code, r.output).toBe(0)
    expect(r.output).toContain('simulated OpenAI-compatible provider (a stand-in, not a model) at http://127.0.0.1:')
    expect(r.output).toContain('proposal not written (run with -u to accept it)')
    const m = /devset: (\d+\.\d+) vs snapshot (\d+\.\d+) \(([+-]\d+\.\d+)\)/.exec(r.output)
    expect(m, r.output).not.toBeNull()
    const [, after, snapshot, delta] = (m ?? []).map(Number)
    expect(delta).toBeGreaterThanOrEqual(0.25)
    expect(after).toBeCloseTo((snapshot ?? 0) + (delta ?? 0), 2)
    expect(r.output).toMatch(/npm run optimize finished in [\d.]+ s \(\d+ simulator requests\)/)

    expect(hashTracked(folders)).toEqual(before)
  })
})
