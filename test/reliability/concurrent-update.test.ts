/**
 * Two `-u` runs on one test file at once never delete each other's recordings: a run prunes only
 * entries it read at its start and did not use; what another run wrote after that is kept. Shown
 * with two real writer processes driven step by step (each step waits for the other's
 * acknowledgement, so the interleaving is exact, whatever the machine's speed), and as a property
 * over every interleaving of two writers. The processes import `dist/`: run `npm run build` first.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import fc from 'fast-check'
import { afterAll, describe, expect, test } from 'vitest'
import { FixtureFileStore } from '../../src/recording/store.js'
import type { FixtureEntry } from '../../src/recording/types.js'
import { requireBuild, ROOT } from '../e2e/harness.js'

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})
function fixtureFile(): string {
  const d = mkdtempSync(join(tmpdir(), 'simba-concurrent-'))
  dirs.push(d)
  return join(d, 'fixtures', 'a.test.ts.lm.json')
}

/** A recorded exchange; `by` tells which run recorded it. */
function entry(by: string, n: string): FixtureEntry {
  return {
    request: { method: 'POST', path: '/chat/completions', body: { n } },
    response: { status: 200, headers: { 'content-type': 'application/json' }, body: { by } },
    provenance: { model: by, recordedAt: '2026-01-01T00:00:00.000Z', library: 'vitest-simba@0.0.0' },
  }
}
const key = (n: string): string => n.padStart(64, '0')

/** The file's entries as `key → who recorded it`. */
function onDisk(file: string): Record<string, string> {
  if (!existsSync(file)) return {}
  const data = JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, { response: { body: { by: string } } }> }
  return Object.fromEntries(Object.entries(data.entries).map(([k, e]) => [k, e.response.body.by]))
}

/** An old file: entry 1 (stale: no run uses it again) and entry 2 (both runs re-record it). */
function oldFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true })
  const entries = { [key('1')]: entry('old', '1'), [key('2')]: entry('old', '2') }
  writeFileSync(file, `${JSON.stringify({ version: 1, entries }, null, 2)}\n`)
}

/**
 * A writer process holding one re-record store of `file`. Commands on stdin, one per line:
 * `add <n>` records entry n, `save` writes what was recorded (as the write-behind timer does),
 * `end` is the end of the test file (prune + final write); each is acknowledged with a JSON line.
 */
const WRITER = `
const [dist, file, name] = process.argv.slice(1)
const { FixtureFileStore } = await import(dist + '/recording/store.js')
const { createInterface } = await import('node:readline')
const store = new FixtureFileStore(file, 'a.test.ts', 're-record')
const entry = (n) => ({
  request: { method: 'POST', path: '/chat/completions', body: { n } },
  response: { status: 200, headers: { 'content-type': 'application/json' }, body: { by: name } },
  provenance: { model: name, recordedAt: '2026-01-01T00:00:00.000Z', library: 'vitest-simba@0.0.0' },
})
process.stdout.write(JSON.stringify({ ready: true }) + '\\n')
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, n] = line.split(' ')
  try {
    if (cmd === 'add') store.add(n.padStart(64, '0'), entry(n))
    if (cmd === 'save') store.save()
    const stats = cmd === 'end' ? await store.flush({ final: true }) : undefined
    process.stdout.write(JSON.stringify({ ok: true, stats }) + '\\n')
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, error: e.message }) + '\\n')
  }
}
`

interface Writer {
  send(command: string): Promise<{ ok: boolean; error?: string; stats?: { recorded: number; unused: number } }>
  close(): void
}

/** Starts a writer process; resolves once it has read the file (its store exists). */
async function writer(file: string, name: string): Promise<Writer> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--input-type=module', '-e', WRITER, pathToFileURL(join(ROOT, 'dist')).href, file, name])
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async (): Promise<Record<string, unknown>> => {
    const r = await lines.next()
    if (r.done) throw new Error(`writer ${name} ended: ${stderr}`)
    return JSON.parse(r.value as string) as Record<string, unknown>
  }
  await next()
  return {
    async send(command) {
      child.stdin.write(`${command}\n`)
      return (await next()) as Awaited<ReturnType<Writer['send']>>
    },
    close: () => child.stdin.end(),
  }
}

describe('two -u runs of one test file at once', () => {
  test('neither deletes what the other recorded after it started (two writer processes, exact interleaving)', async () => {
    requireBuild()
    const file = fixtureFile()
    oldFile(file)
    // Both runs read the old file before either writes.
    const a = await writer(file, 'a')
    const b = await writer(file, 'b')
    try {
      for (const [w, cmd] of [
        [a, 'add 2'], // a re-records entry 2
        [a, 'add 10'],
        [a, 'save'],
        [b, 'add 20'],
        [b, 'save'], // b merges a's entries 2 and 10 into its view of the file
        [a, 'add 11'],
        [a, 'save'],
        [b, 'end'], // b ends first: prunes only entry 1, as it read it
        [a, 'end'],
      ] as const) {
        const r = await w.send(cmd)
        expect(r.ok, `${cmd}: ${r.error}`).toBe(true)
      }
    } finally {
      a.close()
      b.close()
    }
    expect(onDisk(file)).toEqual({ [key('2')]: 'a', [key('10')]: 'a', [key('11')]: 'a', [key('20')]: 'b' })
    expect(readdirSync(dirname(file)).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock'))).toEqual([])
  })

  test('any interleaving of two runs: every recording survives, only stale entries read by both are pruned', async () => {
    // Steps of the two runs: record entry n, write what was recorded, end the file (prune + write).
    type Step = { run: 0 | 1; op: 'add' | 'save'; n: string }
    const step = fc.record({ run: fc.constantFrom<0 | 1>(0, 1), op: fc.constantFrom<'add' | 'save'>('add', 'save'), n: fc.constantFrom('2', '3', '4', '5', '6') })
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 14 }), fc.constantFrom<0 | 1>(0, 1), async (steps: Step[], endsFirst) => {
        const file = fixtureFile()
        oldFile(file)
        const stores = [new FixtureFileStore(file, 'a.test.ts', 're-record'), new FixtureFileStore(file, 'a.test.ts', 're-record')] as const
        const recorded = [new Set<string>(), new Set<string>()]
        // Which run wrote each key last (the file keeps the latest recording of a key).
        for (const s of steps) {
          if (s.op === 'add') {
            stores[s.run].add(key(s.n), entry(String(s.run), s.n))
            recorded[s.run]?.add(key(s.n))
          } else stores[s.run].save()
        }
        await stores[endsFirst].flush({ final: true })
        await stores[1 - endsFirst]!.flush({ final: true })
        const disk = onDisk(file)
        for (const k of [...recorded[0]!, ...recorded[1]!]) expect(disk[k], `entry ${k} recorded by a run`).toMatch(/^[01]$/)
        // Entry 1 was read by both runs and used by neither: pruned. Entry 2 is re-recorded or pruned.
        expect(disk[key('1')]).toBeUndefined()
        const everyRecorded = new Set([...recorded[0]!, ...recorded[1]!])
        expect(Object.keys(disk).sort()).toEqual([...everyRecorded].sort())
      }),
      { numRuns: 40 },
    )
  })
})
