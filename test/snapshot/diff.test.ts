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
})
