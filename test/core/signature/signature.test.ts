import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { field } from '../../../src/core/signature/field.js'
import { signature } from '../../../src/core/signature/signature.js'

describe('signature', () => {
  it('keeps fields in order with descriptions from field() or .describe()', () => {
    const sig = signature({
      instructions: 'Route the ticket.',
      inputs: { ticket: field(z.string(), "The customer's message"), lang: z.string().describe('Language') },
      outputs: { queue: z.enum(['billing', 'technical']), urgent: z.boolean() },
    })
    expect(sig.inputFields.map((f) => [f.name, f.description])).toEqual([
      ['ticket', "The customer's message"],
      ['lang', 'Language'],
    ])
    expect(sig.outputFields.map((f) => f.name)).toEqual(['queue', 'urgent'])
    expect(sig.outputFields[1]?.description).toBeUndefined()
    expect(sig.instructions).toBe('Route the ticket.')
    expect(sig.defaultInstructions).toBe(false)
    expect(sig.shorthand).toBe('ticket, lang -> queue, urgent')
  })

  it('parses the string shorthand with default instructions', () => {
    const sig = signature('question, context -> answer')
    expect(sig.inputFields.map((f) => f.name)).toEqual(['question', 'context'])
    expect(sig.outputFields.map((f) => f.name)).toEqual(['answer'])
    expect(sig.outputFields[0]?.schema.safeParse('x').success).toBe(true)
    expect(sig.instructions).toBe('Given the fields `question`, `context`, produce the fields `answer`.')
    expect(signature('q -> a', 'Answer briefly.').instructions).toBe('Answer briefly.')
  })

  it('withInstructions and prependOutput return new signatures', () => {
    const sig = signature('question -> answer')
    const other = sig.withInstructions('Be terse.')
    expect(other.instructions).toBe('Be terse.')
    expect(sig.instructions).not.toBe('Be terse.')
    const cot = sig.prependOutput('reasoning', field(z.string(), 'Think'))
    expect(cot.outputFields.map((f) => f.name)).toEqual(['reasoning', 'answer'])
    expect(cot.instructions).toContain('`reasoning`, `answer`')
    expect(other.prependOutput('reasoning', z.string()).instructions).toBe('Be terse.')
    expect(sig.outputFields).toHaveLength(1)
  })

  it('rejects bad names, duplicates, shared names and bad shorthand with clear errors', () => {
    expect(() => signature('a b -> c')).toThrow(/"a b" is not identifier-like/)
    expect(() => signature('a, a -> c')).toThrow(/"a" appears twice/)
    expect(() => signature('a -> a')).toThrow(/"a" is both an input and an output/)
    expect(() => signature('a -> b -> c')).toThrow(/exactly one "->"/)
    expect(() => signature('a ->')).toThrow(/no output fields/)
    expect(() => signature({ inputs: { '1x': z.string() }, outputs: { y: z.string() } })).toThrow(/"1x"/)
    expect(() => signature({ inputs: { x: 'nope' as never }, outputs: { y: z.string() } })).toThrow(/must be a zod schema/)
    expect(() => signature('a -> a')).toThrow(expect.objectContaining({ code: 'SIMBA_CONFIG' }))
  })
})
