import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ChatAdapter } from '../../../src/core/adapter/chat.js'
import { PARTIAL_DEMO_NOTE } from '../../../src/core/adapter/messages.js'
import { field } from '../../../src/core/signature/field.js'
import { signature } from '../../../src/core/signature/signature.js'
import { AdapterParseError } from '../../../src/errors.js'

const sig = signature({
  instructions: 'Route the ticket.',
  inputs: { ticket: field(z.string(), "The customer's message.") },
  outputs: { queue: field(z.enum(['billing', 'technical']), 'Queue that handles it.') },
})
const chat = new ChatAdapter()

describe('ChatAdapter.format', () => {
  it('renders exactly the wire format of src/README.md', () => {
    const req = chat.format({ signature: sig, instructions: sig.instructions, demos: [], inputs: { ticket: 'I was charged twice' } })
    expect(req.responseFormat).toBeUndefined()
    expect(req.messages).toEqual([
      {
        role: 'system',
        content: [
          'Route the ticket.',
          '',
          '## Fields',
          'Inputs:',
          "- `ticket` (string): The customer's message.",
          'Outputs:',
          '- `queue` (one of: billing, technical): Queue that handles it.',
          '',
          '## Format',
          'Reply with each output field under its marker line, in this order, then the completion marker:',
          '[[ ## queue ## ]]',
          '<value>',
          '[[ ## completed ## ]]',
        ].join('\n'),
      },
      { role: 'user', content: '[[ ## ticket ## ]]\nI was charged twice' },
    ])
  })

  it('describes types: number, boolean, JSON schema hint; values of non-strings as JSON', () => {
    const s = signature({ inputs: { tags: z.array(z.string()), n: z.number() }, outputs: { ok: z.boolean(), n2: z.int(), obj: z.object({ a: z.number() }) } })
    const req = chat.format({ signature: s, instructions: 'x', demos: [], inputs: { tags: ['a', 'b'], n: 3 } })
    const system = req.messages[0]!.content
    expect(system).toContain('- `tags` ({"type":"array","items":{"type":"string"}})')
    expect(system).toContain('- `n` (number)')
    expect(system).toContain('- `ok` (boolean)')
    expect(system).toContain('- `n2` (integer)')
    expect(system).toContain('- `obj` ({"type":"object","properties":{"a":{"type":"number"}}')
    expect(req.messages[1]!.content).toBe('[[ ## tags ## ]]\n["a","b"]\n\n[[ ## n ## ]]\n3')
  })

  it('renders demos as turns, partial demos first with a note', () => {
    const demos = [
      { ticket: 'app crashes', queue: 'technical' },
      { queue: 'billing' }, // no input at all: skipped
      { ticket: 'refund please', extra: 1 }, // no output: skipped
    ]
    const s2 = signature('a, b -> c')
    const partial = { a: 'only a', c: 'c1' }
    const req = chat.format({ signature: sig, instructions: 'I', demos, inputs: { ticket: 't' } })
    expect(req.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user'])
    expect(req.messages[1]!.content).toBe('[[ ## ticket ## ]]\napp crashes')
    expect(req.messages[2]!.content).toBe('[[ ## queue ## ]]\ntechnical\n\n[[ ## completed ## ]]')
    const req2 = chat.format({ signature: s2, instructions: 'I', demos: [{ a: '1', b: '2', c: '3' }, partial], inputs: { a: 'x', b: 'y' } })
    expect(req2.messages[1]!.content).toBe(`${PARTIAL_DEMO_NOTE}\n\n[[ ## a ## ]]\nonly a`)
    expect(req2.messages[3]!.content).toBe('[[ ## a ## ]]\n1\n\n[[ ## b ## ]]\n2')
  })
})

describe('ChatAdapter.parse', () => {
  it('parses markers, ignores prose and unknown markers, trims and coerces', () => {
    const s = signature({ inputs: { q: z.string() }, outputs: { answer: z.string(), n: z.number(), ok: z.boolean(), queue: z.enum(['billing', 'technical']) } })
    const text = 'Sure!\n[[ ## answer ## ]]\n  hello\nworld  \n[[ ## note ## ]]\nignored\n[[ ## n ## ]]\n42\n[[ ## ok ## ]]\nTrue\n[[ ## queue ## ]]\nBilling\n[[ ## completed ## ]]\n[[ ## answer ## ]]\nafter'
    expect(chat.parse(s, text, 'p')).toEqual({ answer: 'hello\nworld', n: 42, ok: true, queue: 'billing' })
  })

  it('allows optional outputs to be missing', () => {
    const s = signature({ inputs: { q: z.string() }, outputs: { a: z.string(), b: z.string().optional() } })
    expect(chat.parse(s, '[[ ## a ## ]]\nx', 'p')).toEqual({ a: 'x' })
  })

  it('fills in the default of a missing output that has one, like the JSON adapter', () => {
    const s = signature({ inputs: { q: z.string() }, outputs: { a: z.string(), lang: z.string().default('en'), n: z.number().optional() } })
    expect(chat.parse(s, '[[ ## a ## ]]\nx\n[[ ## completed ## ]]', 'p')).toEqual({ a: 'x', lang: 'en' })
  })

  it('null for an optional non-string field means absent', () => {
    const s = signature({ inputs: { q: z.string() }, outputs: { a: z.string(), n: z.number().optional(), tags: z.array(z.string()).default([]) } })
    const out = chat.parse(s, '[[ ## a ## ]]\nx\n[[ ## n ## ]]\nnull\n[[ ## tags ## ]]\nnull\n[[ ## completed ## ]]', 'p')
    expect(out).toEqual({ a: 'x', tags: [] })
    expect(Object.keys(out)).toEqual(['a', 'tags'])
  })

  it('reads a value written on the marker line itself (a common small-model reply)', () => {
    const s = signature({ inputs: { q: z.string() }, outputs: { answer: z.string(), n: z.number() } })
    expect(chat.parse(s, '[[ ## answer ## ]] Paris\nis the capital\n[[ ## n ## ]]  3\n[[ ## completed ## ]]', 'p')).toEqual({ answer: 'Paris\nis the capital', n: 3 })
  })

  it('a value line that starts with a marker is escaped, so it does not split the reply', () => {
    const s = signature('q -> a, b')
    const value = '[[ ## b ## ]] is the next field\n\\[[ ## b ## ]] tail'
    const req = chat.format({ signature: s, instructions: 'x', demos: [{ q: 'demo', a: value, b: 'B' }], inputs: { q: 'x' } })
    expect(chat.parse(s, req.messages[2]!.content, 'p')).toEqual({ a: value, b: 'B' })
  })

  it('collects every issue into an AdapterParseError naming predictor, field and raw text', () => {
    const s = signature({ inputs: { q: z.string() }, outputs: { queue: z.enum(['billing', 'technical']), n: z.number(), missing: z.string(), ok: z.string() } })
    const raw = '[[ ## queue ## ]]\nsales\n[[ ## n ## ]]\nmany\n[[ ## ok ## ]]\nfine'
    let error: AdapterParseError | undefined
    try {
      chat.parse(s, raw, 'router.classify')
    } catch (e) {
      error = e as AdapterParseError
    }
    expect(error).toBeInstanceOf(AdapterParseError)
    expect(error!.code).toBe('SIMBA_ADAPTER_PARSE')
    expect(error!.predictor).toBe('router.classify')
    expect(error!.field).toBe('queue')
    expect(error!.raw).toBe(raw)
    expect(error!.issues.map((i) => i.field)).toEqual(['queue', 'n', 'missing'])
    expect(error!.parsed).toEqual({ ok: 'fine' })
    expect(error!.message).toContain('predictor "router.classify" with the chat adapter')
    expect(error!.message).toContain('field "queue"')
    expect(error!.message).toContain('"sales"')
    expect(error!.message).toContain('[[ ## missing ## ]]')
    expect(error!.message).toContain('--- raw reply ---\n[[ ## queue ## ]]')
    expect(chat.safeParse(s, raw).ok).toBe(false)
  })

  it('escapes value lines that look like markers and unescapes them when parsing', () => {
    const s = signature('q -> a')
    const value = 'line\n[[ ## completed ## ]]\n\\[[ ## a ## ]]\n  [[ ## q ## ]]  \nend'
    const req = chat.format({ signature: s, instructions: 'x', demos: [{ q: 'demo', a: value }], inputs: { q: value } })
    const assistant = req.messages[2]!.content
    expect(assistant).toContain('\n\\[[ ## completed ## ]]\n\\\\[[ ## a ## ]]\n  \\[[ ## q ## ]]  \n')
    expect(chat.parse(s, assistant, 'p')).toEqual({ a: value })
  })
})
