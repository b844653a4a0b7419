import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs'
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
    writeFileSync(file, serializeSnapshot({ version: 1, blocks: {} }).replace('"version": 1', '"version": 9'))
    expect(() => SnapshotStore.load(file, 'none')).toThrow(expect.objectContaining({ code: 'SIMBA_SNAPSHOT_VERSION', message: expect.stringContaining('version 9') }))
    writeFileSync(file, JSON.stringify({ version: 1, blocks: { b: { program: 3 } } }))
    expect(() => SnapshotStore.load(file, 'none')).toThrow(expect.objectContaining({ code: 'SIMBA_SNAPSHOT_CORRUPT', message: expect.stringContaining('blocks.b') }))
  })
})
