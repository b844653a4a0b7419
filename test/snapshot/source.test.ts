import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { Predict } from '../../src/core/predict/predict.js'
import { signature } from '../../src/core/signature/signature.js'
import { Module } from '../../src/core/module/module.js'
import { sha256 } from '../../src/internal/hash/sha256.js'
import { canonicalJson } from '../../src/internal/json/canonical.js'
import { explainSourceChange, rebaseState, sourceOf, splitLines, type PredictorSource, type SourceRecord } from '../../src/snapshot/source.js'
import { KEY_EXAMPLES } from '../recording/key-examples.js'

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
    expect(line).toBe('predictor "self": fields changed (q: string -> a: string => q: string -> a: string, b: number); instructions changed at line 2:\n  - line 2: "Be brief."\n  + line 2: "Be thorough."')
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

/** A predictor's source record with the given parts (hashes are labels here, compared as is). */
const pred = (over: Partial<PredictorSource> = {}): PredictorSource => ({
  signature: 'q: string -> a: string',
  signatureHash: 'sig',
  instructions: ['Answer the question. ', 'Be brief.'],
  demos: 0,
  demosHash: 'none',
  ...over,
})
const rec = (predictors: Record<string, PredictorSource>): SourceRecord => ({ hash: canonicalJson(predictors), predictors })

class Pair extends Module<{ q: string }, { a: string }> {
  first = new Predict(sig('First.'))
  second = new Predict(sig('Second.'))
  async forward(inputs: { q: string }): Promise<{ a: string }> {
    return (await this.second.forward(inputs)) as { a: string }
  }
}

describe('source fingerprint: known values', () => {
  test('splitLines: tabs end sentences too, trailing spaces stay with their sentence, a dot inside a word does not cut', () => {
    expect(splitLines('One.\tTwo')).toEqual(['One.\t', 'Two'])
    expect(splitLines('One.  \t Two. Three')).toEqual(['One.  \t ', 'Two. ', 'Three'])
    expect(splitLines('Ends here. ')).toEqual(['Ends here. '])
    expect(splitLines('Ends here.  ')).toEqual(['Ends here.  '])
    expect(splitLines('Line. \nNext')).toEqual(['Line. \n', 'Next'])
    expect(splitLines('v1.2 is out.Next')).toEqual(['v1.2 is out.Next'])
    expect(splitLines('Wait... ok')).toEqual(['Wait... ', 'ok'])
    expect(splitLines('a\n\nb')).toEqual(['a\n', '\n', 'b'])
    expect(splitLines('Why? Because! Fine')).toEqual(['Why? ', 'Because! ', 'Fine'])
    expect(splitLines('a,  b')).toEqual(['a,  b'])
    expect(splitLines('\n')).toEqual(['\n'])
    expect(splitLines('A. B. C')).toEqual(['A. ', 'B. ', 'C'])
    expect(splitLines('I. O! U? E')).toEqual(['I. ', 'O! ', 'U? ', 'E'])
  })

  test('a predictor record holds its field summary, instruction lines, demo count and the documented hashes', () => {
    const p = new Predict(signature({ instructions: 'Answer. Briefly.', inputs: { q: z.string().describe('question') }, outputs: { a: z.string(), n: z.number() } }))
    p.demos = [{ q: 'x', a: 'y', n: 1 }]
    const src = sourceOf(p)
    const fields = { inputs: [{ name: 'q', type: 'string', description: 'question' }], outputs: [{ name: 'a', type: 'string', description: '' }, { name: 'n', type: 'number', description: '' }] }
    const self = { signature: 'q: string -> a: string, n: number', signatureHash: sha256(canonicalJson(fields)).slice(0, 16), instructions: ['Answer. ', 'Briefly.'], demos: 1, demosHash: sha256(canonicalJson(p.demos)).slice(0, 16) }
    expect(src.predictors).toEqual({ self })
    expect(src.hash).toBe(sha256(canonicalJson([['self', self.signatureHash, 'Answer. Briefly.', self.demosHash]])))
  })

  test('every predictor of a program is recorded under its name, in program order', () => {
    const src = sourceOf(new Pair())
    expect(Object.keys(src.predictors)).toEqual(['first', 'second'])
    expect(src.predictors['second']?.instructions).toEqual(['Second.'])
    const [first, second] = [src.predictors['first'] as PredictorSource, src.predictors['second'] as PredictorSource]
    expect(src.hash).toBe(sha256(canonicalJson([['first', first.signatureHash, 'First.', first.demosHash], ['second', second.signatureHash, 'Second.', second.demosHash]])))
  })

  test('a description-only edit changes the signature hash but not the summary', () => {
    const a = sourceOf(new Predict(sig('Answer.'))).predictors['self'] as PredictorSource
    const b = sourceOf(new Predict(signature({ instructions: 'Answer.', inputs: { q: z.string().describe('the question') }, outputs: { a: z.string() } }))).predictors['self'] as PredictorSource
    expect(b.signature).toBe(a.signature)
    expect(b.signatureHash).not.toBe(a.signatureHash)
    expect(explainSourceChange(rec({ self: a }), rec({ self: b }))).toEqual(['predictor "self": field descriptions changed'])
  })

  test('a secret in a field summary is masked in the record', () => {
    const [key] = KEY_EXAMPLES[0] as [string, string]
    const p = new Predict(signature({ instructions: 'Pick.', inputs: { q: z.string() }, outputs: { a: z.enum([key, 'other']) } }))
    const src = sourceOf(p)
    expect(src.predictors['self']?.signature).not.toContain(key)
    expect(src.predictors['self']?.signature).toContain('[masked')
  })

  test('explainSourceChange: added and removed predictors, by name order', () => {
    const before = rec({ keep: pred(), old: pred() })
    const after = rec({ added: pred(), keep: pred() })
    expect(explainSourceChange(before, after)).toEqual(['predictor "added" was added', 'predictor "old" was removed'])
  })

  test('explainSourceChange: changed lines are shown whole, long ones cut around their first change', () => {
    const long = `${'word '.repeat(20)}end.`
    const lines = explainSourceChange(rec({ p: pred() }), rec({ p: pred({ instructions: ['Answer the question. ', `Be terse ${long}`] }) }))
    expect(lines).toEqual([`predictor "p": instructions changed at line 2:\n  - line 2: "Be brief."\n  + line 2: "${`Be terse ${long}`.slice(0, 89)}…"`])
    // A change far into a long line is shown with the text around it.
    const x = 'x'.repeat(150)
    const [cut] = explainSourceChange(rec({ p: pred({ instructions: [`${x} old end.`] }) }), rec({ p: pred({ instructions: [`${x} new end.`] }) }))
    expect(cut).toMatch(/\n {2}- line 1: "…x{20,} old end\."\n {2}\+ line 1: "…x{20,} new end\."$/)
  })

  test('explainSourceChange: an appended sentence is shown as the added line, not as an unchanged-looking edit of the line before', () => {
    const before = rec({ p: pred({ instructions: ['Choose the queue for the ticket.'] }) })
    const after = rec({ p: pred({ instructions: ['Choose the queue for the ticket. ', 'Prefer billing when money is mentioned.'] }) })
    expect(explainSourceChange(before, after)).toEqual(['predictor "p": instructions changed at line 2:\n  + line 2: "Prefer billing when money is mentioned."'])
    expect(explainSourceChange(after, before)).toEqual(['predictor "p": instructions changed at line 2:\n  - line 2: "Prefer billing when money is mentioned."'])
    const two = pred({ instructions: ['A. ', 'B.'] })
    const three = pred({ instructions: ['A. ', 'B. ', 'C.'] })
    expect(explainSourceChange(rec({ p: two }), rec({ p: three }))).toEqual(['predictor "p": instructions changed at line 3:\n  + line 3: "C."'])
    // A line inserted in the middle is one added line; the lines after it are not "changed".
    const inserted = pred({ instructions: ['A. ', 'New. ', 'B.'] })
    expect(explainSourceChange(rec({ p: two }), rec({ p: inserted }))).toEqual(['predictor "p": instructions changed at line 2:\n  + line 2: "New."'])
    // Same text split differently is no change.
    expect(explainSourceChange(rec({ p: pred({ instructions: ['A. B.'] }) }), rec({ p: two }))).toEqual([])
  })

  test('explainSourceChange: a whitespace-only edit is shown with the whitespace made visible', () => {
    const base = 'Choose the queue for the ticket.'
    const show = (after: string): string[] => explainSourceChange(rec({ p: pred({ instructions: splitLines(base) }) }), rec({ p: pred({ instructions: splitLines(after) }) }))
    expect(show(`${base} `)).toEqual([`predictor "p": instructions changed at line 1:\n  - line 1: "${base}"\n  + line 1: "${base}·"`])
    expect(show(`${base}\n`)).toEqual([`predictor "p": instructions changed at line 1:\n  - line 1: "${base}"\n  + line 1: "${base}⏎"`])
    expect(show(base.replace('the queue', 'the\tqueue'))).toEqual([`predictor "p": instructions changed at line 1:\n  - line 1: "${base}"\n  + line 1: "Choose the\\tqueue for the ticket."`])
    expect(show(base.replace('the queue', 'the  queue'))[0]).toContain('+ line 1: "Choose the··queue for the ticket."')
    expect(show(` ${base}`)[0]).toContain(`+ line 1: "·${base}"`)
    expect(show(base.replace('the queue', 'the\u00a0queue'))[0]).toContain('+ line 1: "Choose the\\u{a0}queue for the ticket."')
    expect(show(base.replace('the queue', 'the\u200bqueue'))[0]).toContain('+ line 1: "Choose the\\u{200b}queue for the ticket."')
    // Between two sentences: the separator itself changed.
    const two = 'Choose the queue. Be brief.'
    const sep = explainSourceChange(rec({ p: pred({ instructions: splitLines(two) }) }), rec({ p: pred({ instructions: splitLines(two.replace('. ', '.  ')) }) }))
    expect(sep).toEqual(['predictor "p": instructions changed at line 1:\n  - line 1: "Choose the queue.·"\n  + line 1: "Choose the queue.··"'])
    // Whatever the edit, the two shown sides differ when the texts differ (property).
    fc.assert(
      fc.property(fc.array(fc.constantFrom('A.', 'B', ' ', '  ', '\t', '\n', '. ', '\u00a0', '\u200b', 'x'), { maxLength: 8 }), fc.array(fc.constantFrom('A.', 'B', ' ', '  ', '\t', '\n', '. ', '\u00a0', '\u200b', 'x'), { maxLength: 8 }), (xs, ys) => {
        const [a, b] = [xs.join(''), ys.join('')]
        const out = explainSourceChange(rec({ p: pred({ instructions: splitLines(a) }) }), rec({ p: pred({ instructions: splitLines(b) }) }))
        if (a === b) {
          expect(out).toEqual([])
          return
        }
        const body = (out[0] ?? '').split('\n').slice(1)
        expect(body.length).toBeGreaterThan(0)
        const side = (sign: string) => body.filter((l) => l.startsWith(`  ${sign}`)).map((l) => l.replace(/^ {2}[-+] line \d+: /, '')).join('|')
        expect(side('-')).not.toBe(side('+'))
      }),
    )
  })

  test('explainSourceChange: a secret in changed instructions is masked', () => {
    const [key] = KEY_EXAMPLES[0] as [string, string]
    const [line] = explainSourceChange(rec({ p: pred() }), rec({ p: pred({ instructions: [`Use ${key}`] }) }))
    expect(line).not.toContain(key)
    expect(line).toContain('[masked')
  })

  test('explainSourceChange: demos with the same or another count, and several changes in one line', () => {
    expect(explainSourceChange(rec({ p: pred({ demos: 2, demosHash: 'x' }) }), rec({ p: pred({ demos: 2, demosHash: 'y' }) }))).toEqual(['predictor "p": demos changed (2)'])
    expect(explainSourceChange(rec({ p: pred({ demos: 2, demosHash: 'x' }) }), rec({ p: pred({ demos: 3, demosHash: 'y' }) }))).toEqual(['predictor "p": demos changed (2 => 3)'])
    const both = explainSourceChange(
      rec({ p: pred() }),
      rec({ p: pred({ signature: 'q: string -> b: string', signatureHash: 'other', instructions: ['Answer the question. ', 'Be long.'], demos: 1, demosHash: 'd' }) }),
    )
    expect(both).toEqual(['predictor "p": fields changed (q: string -> a: string => q: string -> b: string); demos changed (0 => 1); instructions changed at line 2:\n  - line 2: "Be brief."\n  + line 2: "Be long."'])
  })

  test('rebaseState keeps the current state of predictors missing from either source or from the optimization', () => {
    const now = { p: { instructions: 'Now.', demos: [] }, q: { instructions: 'Q now.', demos: [] }, r: { instructions: 'R now.', demos: [] } }
    const opt = { p: { instructions: 'Old. More.', demos: [{ x: 1 }] }, r: { instructions: 'Old. More.', demos: [{ x: 1 }] } }
    const old = rec({ p: pred({ instructions: ['Old.'] }), q: pred({ instructions: ['Old.'] }) })
    const next = rec({ q: pred({ instructions: ['Old.'] }), r: pred({ instructions: ['Old.'] }) })
    const r = rebaseState(old, next, opt, now)
    expect(r).toEqual({ state: now, notes: [], carried: false })
  })

  test('rebaseState: additions to a multi-line old source are carried on their own, without demos', () => {
    const src = rec({ p: pred({ instructions: ['Route it. ', 'Be kind.'] }) })
    const edited = rec({ p: pred({ instructions: ['Route it now. ', 'Be kind.'] }) })
    const r = rebaseState(src, edited, { p: { instructions: 'Route it. Be kind.\nRefunds: billing.', demos: [] } }, { p: { instructions: 'Route it now. Be kind.', demos: [] } })
    expect(r).toEqual({
      state: { p: { instructions: 'Route it now. Be kind.\nRefunds: billing.', demos: [] } },
      notes: ['"p": kept the optimized additions to the instructions (18 chars)'],
      carried: true,
    })
  })

  test('rebaseState: optimized text equal to the old source adds nothing and says nothing; demos carry with a note', () => {
    const src = rec({ p: pred({ instructions: ['Old.'] }) })
    const edited = rec({ p: pred({ instructions: ['New.'] }) })
    const same = rebaseState(src, edited, { p: { instructions: 'Old.', demos: [] } }, { p: { instructions: 'New.', demos: [] } })
    expect(same).toEqual({ state: { p: { instructions: 'New.', demos: [] } }, notes: [], carried: false })
    const demos = [{ q: 'a', a: 'b' }, { q: 'c', a: 'd' }]
    const withDemos = rebaseState(src, edited, { p: { instructions: 'Old. Extra.', demos } }, { p: { instructions: 'New.', demos: [] } })
    expect(withDemos).toEqual({
      state: { p: { instructions: 'New. Extra.', demos } },
      notes: ['"p": kept the optimized additions to the instructions (7 chars)', '"p": kept the 2 optimized demo(s)'],
      carried: true,
    })
    const onlyDemos = rebaseState(src, edited, { p: { instructions: 'Rewritten.', demos } }, { p: { instructions: 'New.', demos: [] } })
    expect(onlyDemos).toEqual({
      state: { p: { instructions: 'New.', demos } },
      notes: ['"p": the optimized instructions do not start with the old source, so the code\'s instructions are used', '"p": kept the 2 optimized demo(s)'],
      carried: true,
    })
    // Code demos changed: the optimized demos no longer fit.
    const demoEdit = rebaseState(src, rec({ p: pred({ instructions: ['New.'], demosHash: 'changed' }) }), { p: { instructions: 'Old.', demos } }, { p: { instructions: 'New.', demos: [] } })
    expect(demoEdit.state['p']?.demos).toEqual([])
    expect(demoEdit.carried).toBe(false)
  })
})
