import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { Predict } from '../../src/core/predict/predict.js'
import { signature } from '../../src/core/signature/signature.js'
import { explainSourceChange, rebaseState, sourceOf, splitLines } from '../../src/snapshot/source.js'

const sig = (instructions: string, extra = false) =>
  signature({ instructions, inputs: { q: z.string().describe('question') }, outputs: extra ? { a: z.string(), b: z.number() } : { a: z.string() } })

describe('source fingerprint', () => {
  test('splitLines cuts after line breaks and sentence ends, and joins back exactly (property)', () => {
    expect(splitLines('One. Two!  Three?\nFour')).toEqual(['One. ', 'Two!  ', 'Three?\n', 'Four'])
    expect(splitLines('')).toEqual([])
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.array(fc.constantFrom('. ', '\n', '? ', '!\t', '.'), { maxLength: 5 }), (s, seps) => {
      const text = seps.reduce((acc, sep, i) => acc + sep + s.slice(i), s)
      expect(splitLines(text).join('')).toBe(text)
      for (const piece of splitLines(text).slice(0, -1)) expect(piece).toMatch(/(\n|[.!?][ \t]+)$/)
    }))
  })

  test('the hash changes with instructions, fields or demos, and not with loaded state of another program', () => {
    const base = sourceOf(new Predict(sig('Answer.')))
    expect(sourceOf(new Predict(sig('Answer.'))).hash).toBe(base.hash)
    expect(sourceOf(new Predict(sig('Answer briefly.'))).hash).not.toBe(base.hash)
    expect(sourceOf(new Predict(sig('Answer.', true))).hash).not.toBe(base.hash)
    const withDemo = new Predict(sig('Answer.'))
    withDemo.demos = [{ q: 'x', a: 'y' }]
    expect(sourceOf(withDemo).hash).not.toBe(base.hash)
  })

  test('explainSourceChange names the predictor and what changed', () => {
    const a = sourceOf(new Predict(sig('Answer the question. Be brief.')))
    const b = sourceOf(new Predict(sig('Answer the question. Be thorough.', true)))
    const [line] = explainSourceChange(a, b)
    expect(line).toMatch(/^predictor "self": fields changed \(q: string -> a: string => q: string -> a: string, b: number\); instructions changed at line 2: "Be brief\." => "Be thorough\."$/)
    expect(explainSourceChange(a, a)).toEqual([])
  })

  test('rebaseState carries optimized additions and demos over an edited source when they still fit', () => {
    const oldSrc = sourceOf(new Predict(sig('Route the ticket.')))
    const edited = new Predict(sig('Route the ticket to a queue.'))
    const newSrc = sourceOf(edited)
    const optimized = { self: { instructions: 'Route the ticket.\nRefunds go to billing.', demos: [{ q: 'refund', a: 'billing' }] } }
    const r = rebaseState(oldSrc, newSrc, optimized, edited.state())
    expect(r.carried).toBe(true)
    expect(r.state['self']).toEqual({ instructions: 'Route the ticket to a queue.\nRefunds go to billing.', demos: [{ q: 'refund', a: 'billing' }] })
    // Optimized text that no longer starts with the old source: the code's instructions win.
    const rewritten = rebaseState(oldSrc, newSrc, { self: { instructions: 'Totally new text.', demos: [] } }, edited.state())
    expect(rewritten.state['self']?.instructions).toBe('Route the ticket to a queue.')
    expect(rewritten.carried).toBe(false)
    // Fields changed: optimized demos are not carried.
    const fields = sourceOf(new Predict(sig('Route the ticket.', true)))
    expect(rebaseState(oldSrc, fields, optimized, new Predict(sig('Route the ticket.', true)).state()).state['self']?.demos).toEqual([])
  })
})
