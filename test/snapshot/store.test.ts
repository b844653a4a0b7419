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
    source: { hash: 's', predictors: { self: { signature: 'q: string -> a: string', signatureHash: 'x', instructions: ['Do it.'], demos: 0, demosHash: 'y' } } },
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
    const source = { hash: 'sh', predictors: { self: { signature: 'q: string -> a: string', signatureHash: 's', instructions: ['Do it.'], demos: 0, demosHash: 'd' } } }
    // Valid files too (a few blocks with any names and means), so the success branch is exercised.
    const valid = fc
      .dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.double({ min: 0, max: 1, noNaN: true }), { maxKeys: 4 })
      .map((means) => serializeSnapshot({ version: 2, blocks: Object.fromEntries(Object.entries(means).map(([name, mean]) => [name, { ...block(mean), source }])) }))
    const seen = { loaded: 0, refused: 0 }
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')), fc.json(), fc.string(), valid), (text) => {
        writeFileSync(file, text)
        let store: SnapshotStore
        try {
          store = SnapshotStore.load(file, 'none')
        } catch (error) {
          expect((error as { code?: string }).code).toMatch(/^SIMBA_SNAPSHOT_(CORRUPT|VERSION)$/)
          expect((error as Error).message).toContain('a.test.ts.simba.json')
          seen.refused++
          return
        }
        // Loaded: the text was a snapshot object, and the store holds exactly its blocks.
        const json = JSON.parse(text) as { version: unknown; blocks: Record<string, unknown> }
        expect([1, 2]).toContain(json.version)
        expect(store.existed).toBe(true)
        expect(store.names()).toEqual(Object.keys(json.blocks).sort())
        for (const name of store.names()) expect(store.get(name)?.baseline.mean).toBe((json.blocks[name] as BlockSnapshot).baseline.mean)
        seen.loaded++
      }),
      { numRuns: 300 },
    )
    // Both branches ran: the property is not vacuously true of one kind of input.
    expect(seen.loaded).toBeGreaterThan(0)
    expect(seen.refused).toBeGreaterThan(0)
  })
  test('a block written and pruned again before any flush leaves no file and no error', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('x', block(1))
    expect(s.prune()).toEqual(['x'])
    expect(s.flush()).toBe(true)
    expect(existsSync(file)).toBe(false)
  })

  test('a prune that removes nothing leaves nothing to write', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('keep', block(1))
    s.flush()
    const before = readFileSync(file, 'utf8')
    const u = SnapshotStore.load(file, 'all')
    u.markDefined('keep')
    expect(u.prune()).toEqual([])
    expect(u.flush()).toBe(false)
    expect(readFileSync(file, 'utf8')).toBe(before)
  })

  test('after a flush there is nothing left to write until the next change', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    expect(s.existed).toBe(false)
    s.set('a', block(1))
    expect(s.flush()).toBe(true)
    expect(s.flush()).toBe(false)
    expect(s.set('a', block(0.5))).toBe('written')
    expect(s.flush()).toBe(true)
    expect(SnapshotStore.load(file, 'none').existed).toBe(true)
    expect(JSON.parse(readFileSync(file, 'utf8')).blocks.a.baseline.mean).toBe(0.5)
  })

  test('provenance other than the date is content: a new model or optimizer rewrites the block; the migration marker is not', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('b', block(1))
    expect(s.set('b', { ...block(1), provenance: { ...block(1).provenance, model: 'other' } })).toBe('written')
    expect(s.set('b', { ...block(1), provenance: { ...block(1).provenance, model: 'other', optimizer: 'simba' } })).toBe('written')
    expect(s.set('b', { ...block(1), provenance: { ...block(1).provenance, model: 'other', optimizer: 'simba' }, legacyCaseNames: true })).toBe('unchanged')
    expect(s.set('b', { ...block(1), promptHash: 'h2', provenance: { ...block(1).provenance, model: 'other', optimizer: 'simba' } })).toBe('written')
  })

  test('get, names and mayWrite see only stored blocks (not inherited object keys), names sorted', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'new')
    for (const n of ['zeta', 'alpha', 'mid']) s.set(n, block(1))
    expect(s.names()).toEqual(['alpha', 'mid', 'zeta'])
    expect(s.get('toString')).toBeUndefined()
    expect(s.get('constructor')).toBeUndefined()
    expect(s.get('alpha')?.baseline.mean).toBe(1)
    expect(s.mayWrite('alpha')).toBe(false)
    expect(s.mayWrite('toString')).toBe(true)
    expect(s.obsolete()).toEqual(['alpha', 'mid', 'zeta'])
    s.markDefined('mid')
    expect(s.obsolete()).toEqual(['alpha', 'zeta'])
  })

  test("a writer's leftovers (temp file of a dead process) are swept when the run may write, never in CI", () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('a', block(1))
    s.flush()
    // A pid above Linux's pid_max: no live process has it.
    const orphan = `${file}.4194305.1.0.tmp`
    writeFileSync(orphan, '{')
    SnapshotStore.load(file, 'none')
    expect(existsSync(orphan)).toBe(true)
    SnapshotStore.load(file, 'new')
    expect(existsSync(orphan)).toBe(false)
    writeFileSync(orphan, '{')
    SnapshotStore.load(file, 'all')
    expect(existsSync(orphan)).toBe(false)
  })

  test('a block written and then pruned in the same run stays gone when another run wrote meanwhile', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('temp', block(1))
    const other = SnapshotStore.load(file, 'all')
    other.set('c', block(0.5))
    other.flush()
    expect(s.prune()).toEqual(['temp'])
    expect(s.flush()).toBe(true)
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).blocks)).toEqual(['c'])
  })

  test('a pruned block is removed while blocks another run added meanwhile are kept', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('keep', block(1))
    s.set('gone', block(1))
    s.flush()
    const u = SnapshotStore.load(file, 'all')
    const other = SnapshotStore.load(file, 'all')
    other.set('added', block(0.5))
    other.flush()
    u.markDefined('keep')
    expect(u.prune()).toEqual(['gone'])
    u.flush()
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).blocks).sort()).toEqual(['added', 'keep'])
  })

  test('when no other run wrote the file, a flush keeps the blocks the run holds as they are (its own file is not read back)', () => {
    const file = tmpFile()
    mkdirSync(file.replace(/[^/]+$/, ''), { recursive: true })
    writeFileSync(file, serializeSnapshot({ version: 2, blocks: { a: block(1) } }))
    const s = SnapshotStore.load(file, 'all')
    const a = s.get('a')
    const b = block(0.5)
    s.set('b', b)
    expect(s.flush()).toBe(true)
    expect(s.get('a')).toBe(a)
    expect(s.get('b')).toBe(b)
    const c = block(0.25)
    s.set('c', c)
    expect(s.flush()).toBe(true)
    expect(s.get('b')).toBe(b)
    expect(s.get('c')).toBe(c)
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).blocks)).toEqual(['a', 'b', 'c'])
  })

  test('after its own write, a run merges later writes of others against what it wrote, not against what it first read', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('a', block(1))
    s.flush()
    // Another run, started after that write, changes "a" and adds "b".
    const other = SnapshotStore.load(file, 'all')
    other.set('a', block(0.25))
    other.set('b', block(0.5))
    other.flush()
    // The first run now changes only "c": no conflict, and the other run's "a" and "b" are kept.
    s.set('c', block(0.75))
    expect(s.flush()).toBe(true)
    const blocks = JSON.parse(readFileSync(file, 'utf8')).blocks
    expect(Object.keys(blocks).sort()).toEqual(['a', 'b', 'c'])
    expect(blocks.a.baseline.mean).toBe(0.25)
  })

  test('a run changing a block it wrote itself, after another run added a block, merges without a conflict', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('a', block(1))
    s.flush()
    const other = SnapshotStore.load(file, 'all')
    other.set('b', block(0.5))
    other.flush()
    s.set('a', block(0.75))
    expect(s.flush()).toBe(true)
    const blocks = JSON.parse(readFileSync(file, 'utf8')).blocks
    expect(blocks.a.baseline.mean).toBe(0.75)
    expect(blocks.b.baseline.mean).toBe(0.5)
  })

  test('a pruned file another run deleted stays deleted; a removal after its own flush is merged like any other', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('a', block(1))
    s.set('b', block(1))
    s.flush()
    const other = SnapshotStore.load(file, 'all')
    other.markDefined('b')
    other.prune()
    other.flush()
    s.markDefined('a')
    s.markDefined('b')
    s.set('c', block(0.5))
    s.flush()
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).blocks).sort()).toEqual(['b', 'c'])
  })

  test('a conflicting write is not forgotten: flushing again fails again, and nothing was written', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('a', block(1))
    s.set('x', block(1))
    s.flush()
    const x = SnapshotStore.load(file, 'all')
    const y = SnapshotStore.load(file, 'all')
    x.set('a', block(0.75))
    x.set('x', block(0.75))
    x.flush()
    y.set('a', block(0.1))
    y.set('x', block(0.1))
    const err = (() => {
      try {
        y.flush()
      } catch (e) {
        return e as Error & { code: string }
      }
      return undefined
    })()
    expect(err?.code).toBe('SIMBA_CONFLICT')
    expect(err?.message).toBe(
      `[vitest-simba] program snapshot ${file} was changed by another run while this one ran (block "a", "x"); nothing was written. Run the update again when the other run has finished.`,
    )
    expect(() => y.flush()).toThrow(expect.objectContaining({ code: 'SIMBA_CONFLICT' }))
    expect(JSON.parse(readFileSync(file, 'utf8')).blocks.a.baseline.mean).toBe(0.75)
  })

  test('a run that pruned a block another run changed meanwhile conflicts', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('a', block(1))
    s.set('b', block(1))
    s.flush()
    const u = SnapshotStore.load(file, 'all')
    const other = SnapshotStore.load(file, 'all')
    other.set('b', block(0.5))
    other.flush()
    u.markDefined('a')
    u.prune()
    expect(() => u.flush()).toThrow(expect.objectContaining({ code: 'SIMBA_CONFLICT', message: expect.stringContaining('(block "b")') }))
  })

  test('when another run deleted the file, this run writes its own blocks and drops the deleted ones', () => {
    const file = tmpFile()
    const s = SnapshotStore.load(file, 'all')
    s.set('a', block(1))
    s.flush()
    const u = SnapshotStore.load(file, 'all')
    rmSync(file)
    u.set('b', block(0.5))
    u.flush()
    const raw = JSON.parse(readFileSync(file, 'utf8'))
    expect(raw.version).toBe(2)
    expect(Object.keys(raw.blocks)).toEqual(['b'])
  })

  test('serializeSnapshot writes the current version, a program-less block as null, instructions as lines', () => {
    const text = serializeSnapshot({ version: 1, blocks: { p: { ...block(1), program: null }, q: { ...block(1), program: { self: { instructions: 'A. B.', demos: [] } } } } })
    const raw = JSON.parse(text)
    expect(raw.version).toBe(2)
    expect(raw.blocks.p.program).toBeNull()
    expect(raw.blocks.q.program.self.instructions).toEqual(['A. ', 'B.'])
    expect(text).toMatch(/^\{\n {2}"blocks": \{\n/)
    expect(text.endsWith('\n}\n')).toBe(true)
  })
})
