import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ChatAdapter } from '../../../src/core/adapter/chat.js'
import { JSONAdapter } from '../../../src/core/adapter/json.js'
import { signature } from '../../../src/core/signature/signature.js'

const chat = new ChatAdapter()
const json = new JSONAdapter()
const sig = signature({
  inputs: { x: z.string() },
  outputs: {
    text: z.string(),
    n: z.number(),
    ok: z.boolean(),
    pick: z.enum(['alpha', 'beta', 'gamma delta']),
    obj: z.object({ k: z.string(), v: z.array(z.number()) }),
  },
})

// Strings without leading/trailing whitespace, rich in marker-like lines.
const markerish = fc.constantFrom('[[ ## text ## ]]', '[[ ## completed ## ]]', '\\[[ ## n ## ]]', '\\\\[[ ## ok ## ]]', ' [[ ## obj ## ]] ', '[[ ## x ## ]] tail', '##', '')
const line = fc.oneof(fc.string(), markerish, fc.string({ unit: 'grapheme' }))
const text = fc
  .array(line, { minLength: 1, maxLength: 6 })
  .map((ls) => ls.join('\n').replace(/\r/g, '').trim())
  .filter((s) => s.length > 0)
const values = fc.record({
  text,
  n: fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
  ok: fc.boolean(),
  pick: fc.constantFrom('alpha', 'beta', 'gamma delta'),
  obj: fc.record({ k: fc.string(), v: fc.array(fc.integer()) }),
})

describe('adapter round trips (property)', () => {
  it('chat: a demo rendered as an assistant turn parses back to the same values', () => {
    fc.assert(
      fc.property(values, (v) => {
        const req = chat.format({ signature: sig, instructions: 'i', demos: [{ x: 'in', ...v }], inputs: { x: 'q' } })
        expect(chat.parse(sig, req.messages[2]!.content, 'p')).toEqual(v)
      }),
      { numRuns: 300 },
    )
  })

  it('chat: input values survive the user turn (parsed with the same marker rules)', () => {
    const inSig = signature('x -> y')
    const swapped = signature('y -> x')
    fc.assert(
      fc.property(text, (x) => {
        const req = chat.format({ signature: inSig, instructions: 'i', demos: [], inputs: { x } })
        expect(chat.parse(swapped, req.messages[1]!.content, 'p')).toEqual({ x })
      }),
      { numRuns: 200 },
    )
  })

  it('json: a demo rendered as JSON parses back', () => {
    fc.assert(
      fc.property(values, (v) => {
        const req = json.format({ signature: sig, instructions: 'i', demos: [{ x: 'in', ...v }], inputs: { x: 'q' } })
        expect(json.parse(sig, req.messages[2]!.content, 'p')).toEqual(v)
      }),
      { numRuns: 200 },
    )
  })
})
