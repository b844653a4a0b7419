import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { diffLines } from '../../src/snapshot/line-diff.js'
import { formatProgramDiff } from '../../src/snapshot/program-diff.js'

describe('diffLines', () => {
  test('rebuilds both sides for any texts', () => {
    const text = fc.array(fc.constantFrom('a', 'b', 'c', ''), { maxLength: 8 }).map((l) => l.join('\n'))
    fc.assert(
      fc.property(text, text, (a, b) => {
        const d = diffLines(a, b)
        expect(d.filter((x) => x.op !== '+').map((x) => x.text).join('\n')).toBe(a)
        expect(d.filter((x) => x.op !== '-').map((x) => x.text).join('\n')).toBe(b)
      }),
    )
  })

  test('keeps as many lines as a longest common subsequence (never a needlessly long diff)', () => {
    const lcs = (a: string[], b: string[]): number => {
      const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0))
      for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) t[i]![j] = a[i] === b[j] ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!)
      return t[0]![0]!
    }
    const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 10 })
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        expect(diffLines(a.join('\n'), b.join('\n')).filter((x) => x.op === ' ')).toHaveLength(lcs(a, b))
      }),
    )
  })

  test('program diff shows instruction lines, demos and score deltas', () => {
    const out = formatProgramDiff(
      'route',
      { self: { instructions: 'Route.\nBe brief.', demos: [{ q: 1 }] } },
      { self: { instructions: 'Route.\nUse billing for refunds.', demos: [{ q: 2 }] } },
      [{ split: 'devset', before: { mean: 0.5, cases: {} }, after: { mean: 0.75, cases: {} } }],
    )
    expect(out).toContain('- Be brief.')
    expect(out).toContain('+ Use billing for refunds.')
    expect(out).toContain('demos: 1 (1 added, 1 removed)')
    expect(out).toContain('devset: 0.750 vs snapshot 0.500 (+0.250)')
  })

  test('the proposal shows repeated advice once with its count, demos as fields, and no internal flags', () => {
    const tip = 'Refund requests go to billing.'
    const out = formatProgramDiff(
      'route',
      { self: { instructions: 'Route.', demos: [] } },
      { self: { instructions: ['Route.', tip, 'Be brief.', tip, tip].join('\n'), demos: [{ augmented: true, ticket: 'I was charged twice', queue: 'billing' }] } },
      [],
    )
    expect(out.split('\n').filter((l) => l.includes(tip))).toEqual([`    + ${tip} (×3)`])
    expect(out).toContain('+ Be brief.')
    expect(out).not.toMatch(/\(×1\)/)
    expect(out).toContain('+ demo ticket: "I was charged twice" · queue: "billing"')
    expect(out).not.toContain('augmented')
  })

  test('blank lines between added paragraphs are not shown as added lines', () => {
    const out = formatProgramDiff('route', { self: { instructions: 'Route.', demos: [] } }, { self: { instructions: 'Route.\n\nRule one.\n\nRule two.\n\nRule three.', demos: [] } }, [])
    expect(out.split('\n').filter((l) => /^\s*\+\s*(\(×\d+\))?$/.test(l))).toEqual([])
    expect(out).toContain('+ Rule one.')
    expect(out).toContain('+ Rule three.')
  })
})
