import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { coerceValue, enumOptions, isStringLike, typeText } from '../../../src/core/adapter/field-types.js'

const value = (schema: z.ZodType, text: string): unknown => {
  const r = coerceValue(schema, text)
  return r.ok ? r.value : `error: ${r.message}`
}

describe('coerceValue: realistic LM spellings', () => {
  it('enum values wrapped in markdown emphasis, quotes or a final period', () => {
    const e = z.enum(['billing', 'technical'])
    expect(['**billing**', '*Billing*', '`billing`', '"Billing".', '__technical__', "'technical'."].map((t) => value(e, t))).toEqual([
      'billing',
      'billing',
      'billing',
      'billing',
      'technical',
      'technical',
    ])
    expect(value(e, '**sales**')).toMatch(/^error: /)
  })

  it('numbers with thousands separators', () => {
    expect(value(z.number(), '1,000')).toBe(1000)
    expect(value(z.number(), '-12,345.5')).toBe(-12345.5)
    expect(value(z.number().int(), '1,000,000')).toBe(1_000_000)
    expect(value(z.number(), '1,00')).toMatch(/^error: /)
    expect(value(z.number(), '1,2,3')).toMatch(/^error: /)
  })

  it('booleans written as yes / no', () => {
    expect(['yes', 'No', 'YES', 'true', 'False'].map((t) => value(z.boolean(), t))).toEqual([true, false, true, true, false])
    expect(value(z.boolean(), 'maybe')).toMatch(/^error: /)
  })
})

describe('a union of string literals is enum-like, as z.enum is', () => {
  const queue = z.union([z.literal('billing'), z.literal('technical')])

  it('is described as a choice and parsed case-insensitively', () => {
    expect(typeText(queue)).toBe('one of: billing, technical')
    expect(isStringLike(queue)).toBe(true)
    expect(value(queue, 'Billing')).toBe('billing')
    expect(value(queue.optional(), '**technical**')).toBe('technical')
  })

  it('unions that are not all literals keep their JSON-schema description', () => {
    expect(enumOptions(z.union([z.literal('a'), z.number()]))).toBeUndefined()
    expect(isStringLike(z.union([z.literal('a'), z.literal(1)]))).toBe(false)
  })
})
