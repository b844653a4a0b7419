/**
 * User data used as map keys (case ids, block names, predictor names) may be any string, including
 * the names of Object.prototype's members: a case named `__proto__` or `constructor` is scored,
 * averaged, stored and compared like any other.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, test } from 'vitest'
import { canonicalJson } from '../../src/internal/json/canonical.js'
import { parseSnapshot } from '../../src/snapshot/parse.js'
import { SnapshotStore, serializeSnapshot } from '../../src/snapshot/store.js'
import type { BlockSnapshot } from '../../src/snapshot/types.js'
import { caseStatus } from '../../src/vitest/runtime/compare.js'
import { toCases } from '../../src/vitest/runtime/cases.js'
import { blockScores } from '../../src/vitest/runtime/scores.js'
import { own } from '../../src/internal/json/dict.js'

const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__', 'toLocaleString']
/** Names that collide with Object.prototype's members, mixed with ordinary ones. */
const names = fc.uniqueArray(fc.oneof(fc.constantFrom(...PROTO_NAMES), fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && !/\s/.test(s))), {
  minLength: 1,
  maxLength: 8,
})

const dir = mkdtempSync(join(tmpdir(), 'simba-proto-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let fileNo = 0

function blockWith(caseNames: string[], scores: number[], predictor = 'self'): BlockSnapshot {
  const cases = toCases('b', 'trainset', caseNames.map((id) => ({ id, q: 'x' })), () => ['q'])
  const { baseline } = blockScores(
    cases,
    scores.map((score) => ({ score })),
  )
  return {
    program: Object.fromEntries([[predictor, { instructions: 'Do it.', demos: [Object.fromEntries([[predictor, 'v']])] }]]),
    baseline,
    provenance: { model: 'm', optimizer: 'baseline', library: 'vitest-simba@0.1.0', date: '2026-01-01' },
    promptHash: 'h',
    source: { hash: 's', predictors: Object.fromEntries([[predictor, { signature: 'q: string -> a: string', signatureHash: 'x', instructions: ['Do it.'], demos: 1, demosHash: 'y' }]]) },
  }
}

describe('names colliding with Object.prototype members', () => {
  test('every case counts in the baseline and its mean, whatever its name', () => {
    fc.assert(
      fc.property(names, (ids) => {
        const scores = ids.map((_, i) => (i % 2 === 0 ? 1 : 0.5))
        const { baseline } = blockWith(ids, scores)
        expect(Object.keys(baseline.trainset.cases).sort()).toEqual([...ids].sort())
        for (const [i, id] of ids.entries()) expect(own(baseline.trainset.cases, id)).toBe(scores[i])
        expect(baseline.mean).toBeCloseTo(scores.reduce((a, b) => a + b, 0) / scores.length, 12)
      }),
    )
  })

  test('block, case, predictor and demo field names survive the snapshot file and the store', () => {
    fc.assert(
      fc.property(names, fc.constantFrom(...PROTO_NAMES, 'self'), (ids, predictor) => {
        const file = join(dir, `f${fileNo++}`, '__snapshots__', 'a.test.ts.simba.json')
        const store = SnapshotStore.load(file, 'all')
        for (const id of ids) {
          store.markDefined(id)
          expect(store.set(id, blockWith(ids, ids.map(() => 1), predictor))).toBe('written')
        }
        expect(store.flush()).toBe(true)
        const text = readFileSync(file, 'utf8')
        const back = SnapshotStore.load(file, 'none')
        expect(back.names()).toEqual([...ids].sort())
        for (const id of ids) {
          const b = back.get(id)
          expect(b, id).toBeDefined()
          expect(Object.keys(b!.baseline.trainset.cases).sort()).toEqual([...ids].sort())
          expect(Object.keys(b!.program!)).toEqual([predictor])
          expect(Object.keys(b!.source!.predictors)).toEqual([predictor])
          expect(Object.keys(b!.program![predictor]!.demos[0]!)).toEqual([predictor])
        }
        // Reading and writing again gives the same bytes.
        expect(serializeSnapshot(parseSnapshot(text, file))).toBe(text)
      }),
      { numRuns: 20 },
    )
  })

  test('a stored block never answers for a name it does not hold', () => {
    const file = join(dir, 'absent', '__snapshots__', 'a.test.ts.simba.json')
    const store = SnapshotStore.load(file, 'all')
    for (const name of PROTO_NAMES) expect(store.get(name), name).toBeUndefined()
  })

  test('a regressed case named __proto__ or constructor is a regression once the baseline is read back from disk', () => {
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const file = join(dir, `reg-${name}`, '__snapshots__', 'a.test.ts.simba.json')
      const store = SnapshotStore.load(file, 'all')
      store.set(name, blockWith([name, 'other'], [1, 1]))
      store.flush()
      const stored = SnapshotStore.load(file, 'none').get(name)
      expect(stored?.baseline.mean).toBe(1)
      const base = own(stored?.baseline.trainset.cases, name)
      expect(base).toBe(1)
      expect(caseStatus({ score: 0, errored: false, baseline: base, tolerance: 0 })).toBe('regressed')
      // A case the baseline does not hold is new, not compared with an inherited member.
      expect(own(stored?.baseline.trainset.cases, name === 'constructor' ? 'toString' : 'constructor')).toBeUndefined()
    }
  })

  test('canonical JSON keeps a __proto__ key', () => {
    const value = JSON.parse('{"b":1,"__proto__":{"x":2},"a":3}') as unknown
    expect(canonicalJson(value)).toBe('{"__proto__":{"x":2},"a":3,"b":1}')
  })
})
