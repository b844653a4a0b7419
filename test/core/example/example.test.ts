import { describe, expect, it } from 'vitest'
import { caseName, Example, toExamples } from '../../../src/core/example/example.js'

const rows = [
  { ticket: 'I was charged twice for my subscription this month', queue: 'billing' },
  { ticket: 'app crashes', queue: 'technical', name: 'crash-case' },
]

describe('Example', () => {
  it('splits inputs and labels, withInputs makes a copy', () => {
    const [ex] = toExamples(rows, ['ticket'])
    expect(ex!.inputs()).toEqual({ ticket: rows[0]!.ticket })
    expect(ex!.labels()).toEqual({ queue: 'billing' })
    const both = ex!.withInputs('ticket', 'queue')
    expect(both.inputs()).toEqual(rows[0])
    expect(both.labels()).toEqual({})
    expect(ex!.inputKeys).toEqual(['ticket'])
  })

  it('gives clear errors for bad datasets', () => {
    expect(() => new Example({ a: 1 }).inputs()).toThrow(/has no input keys/)
    expect(() => toExamples([{ a: 1 }, { b: 2 }] as Array<Record<string, number>>, ['a'])).toThrow(/row #1 has no input "a"/)
    expect(() => toExamples(rows, [])).toThrow(/at least one input key/)
    expect(() => new Example([] as never)).toThrow(/must be an object/)
    expect(() => toExamples([{}], ['x' as never])).toThrow(expect.objectContaining({ code: 'SIMBA_DATASET' }))
  })

  it('names cases: explicit id, then id/name field, then the first input, then #index', () => {
    const exs = toExamples(rows, ['ticket'], { id: (r, i) => (i === 0 ? `case-${r.queue}` : '') })
    expect(caseName(exs[0]!, 0)).toBe('case-billing')
    expect(caseName(exs[1]!, 1)).toBe('crash-case')
    const plain = toExamples(rows, ['ticket'])
    expect(caseName(plain[0]!, 0)).toBe(rows[0]!.ticket.length > 60 ? `${rows[0]!.ticket.slice(0, 60)}…` : rows[0]!.ticket)
    expect(caseName(new Example({ id: 7, x: 1 }, ['x']), 3)).toBe('7')
    expect(caseName(new Example({ x: { a: 'multi\nline' } }, ['x']), 2)).toBe('{"a":"multi\\nline"}')
    expect(caseName(new Example({ x: '  ' }, ['x']), 4)).toBe('#4')
  })

  it('exposes row fields on the example itself, read-only and non-enumerable, except reserved names', () => {
    const [ex] = toExamples([{ ticket: 'refund?', queue: 'billing', labels: ['a'], id: 'c1' }], ['ticket'])
    expect(ex!.queue).toBe('billing')
    expect(ex!.ticket).toBe('refund?')
    expect(typeof ex!.labels).toBe('function') // reserved: the method wins, the field stays in data
    expect(ex!.data.labels).toEqual(['a'])
    expect(Object.keys(ex!)).not.toContain('queue')
    expect(() => {
      ;(ex as unknown as { queue: string }).queue = 'x'
    }).toThrow()
    const thenable = new Example({ then: 1, q: 'x' }, ['q'])
    expect((thenable as unknown as { then?: unknown }).then).toBeUndefined()
  })
})
