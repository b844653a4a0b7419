import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { parseHistory, serializeRecord } from '../../src/history/format.js'
import { gitCommit } from '../../src/history/git.js'
import { appendHistory } from '../../src/history/store.js'
import type { HistoryRecord } from '../../src/history/types.js'
import { ROOT, requireBuild } from '../e2e/harness.js'

const dirs: string[] = []
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'simba-history-'))
  dirs.push(d)
  return d
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

const record = (block: string, n: number): HistoryRecord => ({
  v: 1,
  date: new Date(Date.UTC(2026, 11, 1, 0, 0, n)).toISOString(),
  commit: null,
  project: '',
  file: 'a.test.ts',
  block,
  mode: 'regression',
  snapshot: 'unchanged',
  split: 'trainset',
  means: { trainset: n % 2 },
  cases: { trainset: { x: n % 2 } },
  calls: { total: n, live: 0, replayed: n },
  tokens: 0,
  cost: 0,
})

describe('the history file', () => {
  test('appends one line per run, returns the block\'s earlier runs, and ignores the folder in git', () => {
    const file = join(tmp(), '.vitest-simba', 'history.jsonl')
    expect(appendHistory(file, record('a', 1))).toEqual({ previous: [] })
    expect(appendHistory(file, record('b', 2))).toEqual({ previous: [] })
    expect(appendHistory(file, record('a', 3))).toEqual({ previous: [record('a', 1)] })
    expect(readFileSync(file, 'utf8')).toBe([record('a', 1), record('b', 2), record('a', 3)].map(serializeRecord).join(''))
    expect(readFileSync(join(file, '..', '.gitignore'), 'utf8')).toMatch(/^\*$/m)
    expect(readdirSync(join(file, '..')).sort()).toEqual(['.gitignore', 'history.jsonl'])
  })

  test('keeps the last `keep` runs of each block (rewritten whole once a fifth over), never another block\'s', () => {
    const file = join(tmp(), 'h.jsonl')
    appendHistory(file, record('other', 0), { keep: 2 })
    // keep 2: up to 3 lines (a fifth over, rounded up) are appended; the 4th run rewrites to the last 2.
    for (let n = 1; n <= 3; n++) appendHistory(file, record('a', n), { keep: 2 })
    expect(parseHistory(readFileSync(file, 'utf8')).records).toEqual([record('other', 0), record('a', 1), record('a', 2), record('a', 3)])
    expect(appendHistory(file, record('a', 4), { keep: 2 }).previous).toEqual([record('a', 1), record('a', 2), record('a', 3)])
    expect(parseHistory(readFileSync(file, 'utf8')).records).toEqual([record('other', 0), record('a', 3), record('a', 4)])
    expect(readdirSync(join(file, '..')).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([])
  })

  test('a corrupt, cut-short or foreign file is set aside whole with one warning naming both files, and a new one started', () => {
    const dir = tmp()
    const file = join(dir, 'h.jsonl')
    for (const bad of ['{"name":"my-package","version":"1.0.0"}\n', serializeRecord(record('a', 1)) + serializeRecord(record('a', 2)).slice(0, 30), '\u0000\u0001binary']) {
      writeFileSync(file, bad)
      const r = appendHistory(file, record('a', 3), { now: new Date('2026-12-06T23:00:00Z') })
      expect(r.previous).toEqual([])
      expect(r.warning).toMatch(new RegExp(`^\\[simba\\] history ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a vitest-simba history \\(line \\d+: .*\\); moved it to .*h\\.jsonl\\.corrupt-2026-12-06T23-00-00-000Z.* and started a new one\\.$`))
      expect(r.warning).not.toContain('\n')
      expect(readFileSync(file, 'utf8')).toBe(serializeRecord(record('a', 3)))
    }
    // Nothing was lost: each bad file is kept byte for byte under its own name.
    const aside = readdirSync(dir).filter((f) => f.includes('.corrupt-')).sort()
    expect(aside).toHaveLength(3)
    expect(aside.map((f) => readFileSync(join(dir, f), 'latin1')).sort()).toEqual(
      ['{"name":"my-package","version":"1.0.0"}\n', serializeRecord(record('a', 1)) + serializeRecord(record('a', 2)).slice(0, 30), '\u0000\u0001binary'].sort(),
    )
  })

  test('a file of a newer format is set aside (never overwritten), with a warning to upgrade', () => {
    const dir = tmp()
    const file = join(dir, 'h.jsonl')
    const newer = `${JSON.stringify({ ...record('a', 1), v: 7 })}\n`
    writeFileSync(file, newer)
    const r = appendHistory(file, record('a', 2))
    expect(r.warning).toMatch(/written by a newer vitest-simba \(format 7, line 1\); moved it to .*h\.jsonl\.newer-.* Upgrade vitest-simba/)
    const aside = readdirSync(dir).filter((f) => f.includes('.newer-'))
    expect(aside).toHaveLength(1)
    expect(readFileSync(join(dir, aside[0] as string), 'utf8')).toBe(newer)
  })

  test('concurrent processes appending to one file lose no line and interleave none', async () => {
    requireBuild()
    const file = join(tmp(), 'h.jsonl')
    const store = join(ROOT, 'dist', 'history', 'store.js')
    const script = `const { appendHistory } = await import(${JSON.stringify(store)})
const [file, who] = process.argv.slice(1)
const big = Object.fromEntries(Array.from({ length: 300 }, (_, i) => ['case number ' + i + ' of ' + who, i % 2]))
for (let n = 0; n < 8; n++) appendHistory(file, { v: 1, date: new Date().toISOString(), commit: null, project: '', file: 'a.test.ts', block: who, mode: 'regression', snapshot: 'unchanged', split: 'trainset', means: { trainset: 0.5 }, cases: { trainset: big }, calls: { total: n, live: 0, replayed: n }, tokens: 0, cost: 0 }, { keep: 100 })
`
    const writers = ['w1', 'w2', 'w3'].map(
      (who) =>
        new Promise<number | null>((resolve, reject) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script, file, who], { stdio: ['ignore', 'ignore', 'inherit'] })
          child.on('error', reject)
          child.on('close', resolve)
        }),
    )
    expect(await Promise.all(writers)).toEqual([0, 0, 0])
    const parsed = parseHistory(readFileSync(file, 'utf8'))
    expect(parsed.problem).toBeUndefined()
    for (const who of ['w1', 'w2', 'w3']) expect(parsed.records?.filter((r) => r.block === who).map((r) => r.calls.total)).toEqual([...Array(8).keys()])
  })
})

describe('the git commit', () => {
  test('is read from HEAD, a branch ref (loose or packed) or a worktree, and is null outside git', () => {
    const commit = 'c0ffee'.padEnd(40, '1')
    const other = 'bead'.padEnd(40, '2')
    const repo = tmp()
    mkdirSync(join(repo, '.git', 'refs', 'heads'), { recursive: true })
    mkdirSync(join(repo, 'pkg', 'sub'), { recursive: true })
    writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n')
    writeFileSync(join(repo, '.git', 'refs', 'heads', 'main'), `${commit}\n`)
    expect(gitCommit(join(repo, 'pkg', 'sub'))).toBe(commit)
    writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/packed\n')
    writeFileSync(join(repo, '.git', 'packed-refs'), `# pack-refs with: peeled fully-peeled sorted\n${other} refs/heads/packed\n`)
    expect(gitCommit(repo)).toBe(other)
    writeFileSync(join(repo, '.git', 'HEAD'), `${other}\n`)
    expect(gitCommit(repo)).toBe(other)
    // A worktree: `.git` is a file pointing at its git dir, whose refs live in the common dir.
    const wt = tmp()
    mkdirSync(join(repo, '.git', 'worktrees', 'wt'), { recursive: true })
    writeFileSync(join(wt, '.git'), `gitdir: ${join(repo, '.git', 'worktrees', 'wt')}\n`)
    writeFileSync(join(repo, '.git', 'worktrees', 'wt', 'HEAD'), 'ref: refs/heads/main\n')
    writeFileSync(join(repo, '.git', 'worktrees', 'wt', 'commondir'), '../..\n')
    expect(gitCommit(wt)).toBe(commit)
    // An unborn branch, and no git at all.
    writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/none\n')
    expect(gitCommit(repo)).toBeNull()
    const plain = tmp()
    expect(existsSync(join(plain, '.git'))).toBe(false)
    expect(gitCommit(plain)).toBe(gitCommit(join(plain, '..')))
  })
})
