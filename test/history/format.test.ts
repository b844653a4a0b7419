import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { caseState, historyKey, historyView, parseHistory, parseHistoryLine, scanHistory, serializeRecord } from '../../src/history/format.js'
import { HISTORY_VERSION, type HistoryRecord } from '../../src/history/types.js'

const name = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'a"b', 'line\nbreak', 'é ü 中'))
const results = fc.dictionary(name, fc.oneof(fc.constant(null), fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true })), { maxKeys: 6 }).map((d) => {
  // A prototype-free copy, as the parser returns it.
  const out = Object.create(null) as Record<string, number | null>
  for (const [k, v] of Object.entries(d)) out[k] = v === null ? null : v + 0
  return out
})
const unit = fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x + 0)
const date = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString())

/** Arbitrary valid records (with or without a devset, trials, a commit). */
export const recordArb: fc.Arbitrary<HistoryRecord> = fc
  .record({
    date,
    commit: fc.option(fc.stringMatching(/^[0-9a-f]{40}$/), { nil: null }),
    project: fc.constantFrom('', 'unit', 'examples'),
    file: fc.constantFrom('a.test.ts', 'dir/b.test.ts'),
    block: name,
    mode: fc.constantFrom('regression' as const, 'optimize' as const),
    snapshot: fc.constantFrom('written' as const, 'unchanged' as const, 'skipped' as const),
    dev: fc.boolean(),
    train: unit,
    devMean: unit,
    trainCases: results,
    devCases: results,
    calls: fc.record({ total: fc.nat(), live: fc.nat(), replayed: fc.nat() }),
    tokens: fc.nat(),
    cost: fc.double({ min: 0, max: 1000, noNaN: true }).map((x) => x + 0),
    trials: fc.option(fc.integer({ min: 2, max: 100 }), { nil: undefined }),
  })
  .map((r) => ({
    v: HISTORY_VERSION,
    date: r.date,
    commit: r.commit,
    project: r.project,
    file: r.file,
    block: r.block,
    mode: r.mode,
    snapshot: r.snapshot,
    split: r.dev ? ('devset' as const) : ('trainset' as const),
    means: r.dev ? { trainset: r.train, devset: r.devMean } : { trainset: r.train },
    cases: r.dev ? { trainset: r.trainCases, devset: r.devCases } : { trainset: r.trainCases },
    calls: r.calls,
    tokens: r.tokens,
    cost: r.cost,
    ...(r.trials !== undefined ? { trials: r.trials } : {}),
  }))

describe('history lines', () => {
  test('property: a record written as a line reads back equal, alone and in a file of many, each on one line', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 6 }), (records) => {
        const lines = records.map(serializeRecord)
        for (const [i, line] of lines.entries()) {
          expect(line.endsWith('\n')).toBe(true)
          expect(line.slice(0, -1)).not.toContain('\n')
          expect(parseHistoryLine(line.slice(0, -1))).toEqual({ record: records[i] })
        }
        expect(parseHistory(lines.join(''))).toEqual({ records })
        // Writing what was read gives the same bytes.
        expect((parseHistory(lines.join('')).records ?? []).map(serializeRecord).join('')).toBe(lines.join(''))
      }),
    )
  })

  test('property: arbitrary text never throws; it is records, or corrupt/newer naming a line', () => {
    const garbage = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.oneof(fc.json(), fc.string(), recordArb.map((r) => serializeRecord(r).slice(0, -1))), { maxLength: 5 }).map((ls) => ls.join('\n')),
      recordArb.chain((r) => fc.nat({ max: serializeRecord(r).length }).map((n) => serializeRecord(r).slice(0, n))),
      fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b).toString('latin1')),
    )
    fc.assert(
      fc.property(garbage, (text) => {
        const parsed = parseHistory(text)
        if (parsed.problem) {
          expect(parsed.problem.line).toBeGreaterThanOrEqual(1)
          expect(['corrupt', 'newer']).toContain(parsed.problem.kind)
        } else {
          for (const r of parsed.records) expect(parseHistoryLine(serializeRecord(r).slice(0, -1))).toEqual({ record: r })
        }
      }),
      { numRuns: 300 },
    )
  })

  test('a line cut short, a foreign line and a newer format are told apart', () => {
    const r: HistoryRecord = { v: 1, date: '2026-12-01T10:00:00.000Z', commit: null, project: '', file: 'a.test.ts', block: 'b', mode: 'regression', snapshot: 'unchanged', split: 'trainset', means: { trainset: 1 }, cases: { trainset: { x: 1 } }, calls: { total: 1, live: 0, replayed: 1 }, tokens: 0, cost: 0 }
    const line = serializeRecord(r)
    expect(parseHistory(line + line.slice(0, 20)).problem).toMatchObject({ kind: 'corrupt', line: 2, reason: expect.stringContaining('cut short') })
    expect(parseHistory(`${line}{"name":"my-package"}\n`).problem).toMatchObject({ kind: 'corrupt', line: 2 })
    expect(parseHistory(`${line}${JSON.stringify({ ...r, v: 2, extra: true })}\n`).problem).toEqual({ kind: 'newer', line: 2, version: 2 })
    expect(parseHistory('')).toEqual({ records: [] })
    expect(parseHistory('\n\n')).toEqual({ records: [] })
  })

  test('a case named __proto__ stays an ordinary case', () => {
    const cases = Object.create(null) as Record<string, number | null>
    cases['__proto__'] = 0
    const r: HistoryRecord = { v: 1, date: '2026-12-01T10:00:00.000Z', commit: null, project: '', file: 'a.test.ts', block: 'b', mode: 'regression', snapshot: 'unchanged', split: 'trainset', means: { trainset: 0 }, cases: { trainset: cases }, calls: { total: 1, live: 0, replayed: 1 }, tokens: 0, cost: 0 }
    const back = parseHistory(serializeRecord(r)).records?.[0]
    expect(Object.keys(back?.cases.trainset ?? {})).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(back?.cases.trainset)).toBeNull()
  })
})

describe('scanning for one block, and the report view', () => {
  test('property: scanning for one block finds exactly its records, keeps every line, and agrees with a full read on problems', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 12 }), fc.nat(), (records, pick) => {
        const text = records.map(serializeRecord).join('')
        const key = records.length > 0 ? (records[pick % records.length] as HistoryRecord) : { project: '', file: 'a.test.ts', block: 'none' }
        const scanned = scanHistory(text, key)
        expect(scanned.previous).toEqual(records.filter((r) => historyKey(r) === historyKey(key)))
        expect(scanned.lines?.map((l) => `${l.raw}\n`).join('')).toBe(text)
        expect(scanned.lines?.filter((l) => l.mine)).toHaveLength(scanned.previous?.length ?? -1)
      }),
    )
    const garbage = fc.oneof(fc.string({ maxLength: 200 }), fc.array(fc.oneof(fc.json(), fc.string(), recordArb.map((r) => serializeRecord(r).slice(0, -1))), { maxLength: 5 }).map((ls) => `${ls.join('\n')}\n`))
    fc.assert(
      fc.property(garbage, (text) => {
        const scanned = scanHistory(text, { project: '', file: 'a.test.ts', block: 'b' })
        // Never throws; whatever a full read calls a newer file, the scan does too.
        if (parseHistory(text).problem?.kind === 'newer' && scanned.problem) expect(scanned.problem.kind).toBe('newer')
      }),
      { numRuns: 200 },
    )
  })

  const rec = (cases: Record<string, number | null>, mean: number, date: string): HistoryRecord => ({
    v: 1,
    date,
    commit: 'a'.repeat(40),
    project: '',
    file: 'a.test.ts',
    block: 'b',
    mode: 'regression',
    snapshot: 'unchanged',
    split: 'trainset',
    means: { trainset: mean },
    cases: { trainset: cases },
    calls: { total: 0, live: 0, replayed: 0 },
    tokens: 0,
    cost: 0,
  })

  test('the view lists the last runs and the cases whose pass state changed since the previous run', () => {
    const old = rec({ a: 1, b: 1, c: 0, d: null }, 0.5, '2026-12-01T00:00:00.000Z')
    const prev = rec({ a: 1, b: 1, c: 0, d: 1 }, 0.75, '2026-12-02T00:00:00.000Z')
    const now = rec({ a: 0, b: 1, c: 1, d: 0.5, e: 1 }, 0.7, '2026-12-03T00:00:00.000Z')
    const view = historyView([old, prev], now)
    expect(view.points.map((p) => p.mean)).toEqual([0.5, 0.75, 0.7])
    expect(view.previous).toEqual({ date: prev.date, commit: prev.commit })
    expect(view.changed).toEqual([
      { split: 'trainset', name: 'a', from: 'pass', to: 'fail' },
      { split: 'trainset', name: 'c', from: 'fail', to: 'pass' },
      { split: 'trainset', name: 'd', from: 'pass', to: 'flaky' },
    ])
    expect(view.added).toBe(1)
    expect(historyView([], now)).toMatchObject({ previous: null, changed: [], points: [{ mean: 0.7 }] })
    expect(historyView([old, prev], now, 2).points.map((p) => p.mean)).toEqual([0.75, 0.7])
    expect([caseState(1), caseState(0), caseState(0.5), caseState(null)]).toEqual(['pass', 'fail', 'flaky', 'error'])
  })
})
