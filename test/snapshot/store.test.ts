import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { SnapshotStore, serializeSnapshot } from '../../src/snapshot/store.js'
import { snapshotPathFor } from '../../src/snapshot/path.js'
import type { BlockSnapshot } from '../../src/snapshot/types.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
function tmpFile(): string {
  const d = mkdtempSync(join(tmpdir(), 'simba-snap-'))
  dirs.push(d)
  return join(d, '__snapshots__', 'a.test.ts.simba.json')
}
function block(mean: number, date = '2026-01-01'): BlockSnapshot {
  return {
    program: { self: { instructions: 'Do it.', demos: [] } },
    baseline: { split: 'trainset', mean, trainset: { mean, cases: { a: mean } } },
    provenance: { model: 'm', optimizer: 'baseline', library: 'vitest-simba@0.1.0', date },
    source: null,
    promptHash: 'h',
  }
}

describe('SnapshotStore', () => {
  test('path sits in __snapshots__ next to the test file', () => {
    expect(snapshotPathFor('/p/t/x.test.ts')).toBe('/p/t/__snapshots__/x.test.ts.simba.json')
  })

  test('new writes missing blocks only, with sorted keys and a trailing newline', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'new')
    expect(s.set('b', block(1))).toBe('written')
    expect(s.flush()).toBe(true)
    const text = readFileSync(file, 'utf8')
    expect(text.endsWith('}\n')).toBe(true)
    expect(text.indexOf('"baseline"')).toBeLessThan(text.indexOf('"program"'))
    const again = SnapshotStore.load(file, 'new')
    expect(again.set('b', block(0.5))).toBe('skipped')
    expect(again.flush()).toBe(false)
  })

  test('a block whose only change is the date is left untouched (byte-identical)', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('b', block(1, '2026-01-01'))
    s.flush()
    const before = readFileSync(file, 'utf8')
    const s2 = SnapshotStore.load(file, 'all')
    expect(s2.set('b', block(1, '2030-05-05'))).toBe('unchanged')
    expect(s2.flush()).toBe(false)
    expect(readFileSync(file, 'utf8')).toBe(before)
  })

  test('none never writes; obsolete blocks are listed and pruned only under all', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('keep', block(1))
    s.set('gone', block(1))
    s.flush()
    const ci = SnapshotStore.load(file, 'none')
    ci.markDefined('keep')
    expect(ci.obsolete()).toEqual(['gone'])
    expect(ci.prune()).toEqual([])
    expect(ci.set('new', block(1))).toBe('skipped')
    expect(ci.flush()).toBe(false)
    const u = SnapshotStore.load(file, 'all')
    u.markDefined('keep')
    expect(u.prune()).toEqual(['gone'])
    u.flush()
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).blocks)).toEqual(['keep'])
  })

  test('pruning every block deletes the file', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('gone', block(1))
    s.flush()
    const u = SnapshotStore.load(file, 'all')
    u.prune()
    u.flush()
    expect(existsSync(file)).toBe(false)
  })

  test('corrupt and future files fail with codes naming the file', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('b', block(1))
    s.flush()
    writeFileSync(file, '{ nope')
    expect(() => SnapshotStore.load(file, 'none')).toThrow(expect.objectContaining({ code: 'SIMBA_SNAPSHOT_CORRUPT', message: expect.stringContaining(file) }))
    writeFileSync(file, serializeSnapshot({ version: 2, blocks: {} }).replace(/"version": \d+/, '"version": 9'))
    expect(() => SnapshotStore.load(file, 'none')).toThrow(expect.objectContaining({ code: 'SIMBA_SNAPSHOT_VERSION', message: expect.stringContaining('version 9') }))
    writeFileSync(file, JSON.stringify({ version: 1, blocks: { b: { program: 3 } } }))
    expect(() => SnapshotStore.load(file, 'none')).toThrow(expect.objectContaining({ code: 'SIMBA_SNAPSHOT_CORRUPT', message: expect.stringContaining('blocks.b') }))
  })

  test('a version-1 file migrates: source unknown, cases keyed by the old names, instruction string read as is', () => {
    const file = tmpFile()
    const v1 = { version: 1, blocks: { b: { ...block(1), source: undefined, program: { self: { instructions: 'One. Two.', demos: [] } } } } }
    mkdirSync(file.replace(/[^/]+$/, ''), { recursive: true })
    writeFileSync(file, JSON.stringify(v1))
    const s = SnapshotStore.load(file, 'all')
    expect(s.get('b')).toMatchObject({ source: null, legacyCaseNames: true, program: { self: { instructions: 'One. Two.' } } })
  })

  test('instructions are written one sentence or line per element and read back exactly', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    const instructions = 'Route the ticket. Be brief!\nRules:\n- refunds go to billing.  Done? yes'
    s.set('b', { ...block(1), program: { self: { instructions, demos: [] } } })
    s.flush()
    const raw = JSON.parse(readFileSync(file, 'utf8'))
    expect(raw.version).toBe(2)
    expect(raw.blocks.b.program.self.instructions).toEqual(['Route the ticket. ', 'Be brief!\n', 'Rules:\n', '- refunds go to billing.  ', 'Done? ', 'yes'])
    expect(SnapshotStore.load(file, 'none').get('b')?.program?.['self']?.instructions).toBe(instructions)
  })

  test('two runs writing different blocks of one file merge; both changing one block fails loudly', () => {
    const file = tmpFile()
    const first = SnapshotStore.load(file, 'all')
    first.set('a', block(0.5))
    first.flush()
    const alpha = SnapshotStore.load(file, 'all')
    const beta = SnapshotStore.load(file, 'all')
    alpha.set('alpha', block(1))
    beta.set('beta', block(0.25))
    alpha.flush()
    beta.flush()
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).blocks).sort()).toEqual(['a', 'alpha', 'beta'])
    const x = SnapshotStore.load(file, 'all')
    const y = SnapshotStore.load(file, 'all')
    x.set('a', block(0.75))
    y.set('a', block(0.1))
    x.flush()
    expect(() => y.flush()).toThrow(expect.objectContaining({ code: 'SIMBA_CONFLICT', message: expect.stringContaining('"a"') }))
    expect(JSON.parse(readFileSync(file, 'utf8')).blocks.a.baseline.mean).toBe(0.75)
  })

  test('arbitrary bytes as a snapshot file give a typed error naming the file, never a crash (property)', async () => {
    const fc = (await import('fast-check')).default
    const file = tmpFile()
    mkdirSync(file.replace(/[^/]+$/, ''), { recursive: true })
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')), fc.json(), fc.string()), (text) => {
        writeFileSync(file, text)
        try {
          SnapshotStore.load(file, 'none')
        } catch (error) {
          expect((error as { code?: string }).code).toMatch(/^SIMBA_SNAPSHOT_(CORRUPT|VERSION)$/)
          expect((error as Error).message).toContain('a.test.ts.simba.json')
        }
      }),
      { numRuns: 300 },
    )
  })
})
