import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { JSONAdapter } from '../../../src/core/adapter/json.js'
import { signature } from '../../../src/core/signature/signature.js'
import { AdapterParseError } from '../../../src/errors.js'

const json = new JSONAdapter()
const sig = signature({ instructions: 'Route.', inputs: { ticket: z.string() }, outputs: { queue: z.enum(['billing', 'technical']), n: z.number() } })

describe('JSONAdapter', () => {
  it('sends the same system text with a JSON format section and json_object response format', () => {
    const req = json.format({ signature: sig, instructions: 'Route.', demos: [{ ticket: 'a', queue: 'billing', n: 1 }], inputs: { ticket: 'b' } })
    expect(req.responseFormat).toEqual({ type: 'json_object' })
    const system = req.messages[0]!.content
    expect(system.startsWith('Route.\n\n## Fields\nInputs:\n- `ticket` (string)\nOutputs:\n- `queue` (one of: billing, technical)\n- `n` (number)\n\n## Format\n')).toBe(true)
    expect(system).toContain('one JSON object')
    expect(req.messages[1]!.content).toBe('[[ ## ticket ## ]]\na')
    expect(req.messages[2]!.content).toBe('{"queue":"billing","n":1}')
    expect(req.messages[3]!.content).toBe('[[ ## ticket ## ]]\nb')
  })

  it('tolerates fences, prose and lenient values', () => {
    expect(json.parse(sig, 'Here you go:\n```json\n{"queue": "billing", "n": 2}\n```\nDone.', 'p')).toEqual({ queue: 'billing', n: 2 })
    expect(json.parse(sig, '{"queue": "Technical", "n": "3"}', 'p')).toEqual({ queue: 'technical', n: 3 })
  })

  it('finds the JSON object when the prose around it has braces too', () => {
    expect(json.parse(sig, 'Here it is: {"queue": "billing", "n": 2}\nTell me if you need {more}.', 'p')).toEqual({ queue: 'billing', n: 2 })
    expect(json.parse(sig, 'The format is {queue, n}. Answer: {"queue": "technical", "n": 1}', 'p')).toEqual({ queue: 'technical', n: 1 })
    expect(json.parse(sig, '{"queue": "billing", "n": 3, "note": "a } in a string"} and {x}', 'p')).toEqual({ queue: 'billing', n: 3 })
  })

  it('a string field answered with an object or array keeps its JSON text, not "[object Object]"', () => {
    const s = signature({ inputs: { q: z.string() }, outputs: { facts: z.string(), n: z.string() } })
    expect(json.parse(s, '{"facts": {"who": "Ann", "tags": ["a", "b"]}, "n": 7}', 'p')).toEqual({ facts: '{"who":"Ann","tags":["a","b"]}', n: '7' })
  })

  it('null for an optional (or defaulted) field means absent; a required field still fails', () => {
    const s = signature({ inputs: { q: z.string() }, outputs: { a: z.string(), note: z.string().optional(), n: z.number().default(1) } })
    expect(json.parse(s, '{"a": "x", "note": null, "n": null}', 'p')).toEqual({ a: 'x', n: 1 })
    expect(() => json.parse(s, '{"a": null}', 'p')).toThrow(/field "a"/)
  })

  it('reports every issue, and whole-reply problems', () => {
    let err: unknown
    try {
      json.parse(sig, '{"queue": "sales"}', 'router')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(AdapterParseError)
    expect((err as AdapterParseError).issues.map((i) => i.field)).toEqual(['queue', 'n'])
    expect((err as AdapterParseError).message).toContain('with the json adapter')
    expect((err as AdapterParseError).message).toContain('missing key')
    expect(() => json.parse(sig, 'no json here', 'router')).toThrow(/contains no JSON object/)
    expect(() => json.parse(sig, '{not: json}', 'router')).toThrow(/not valid JSON/)
    expect(() => json.parse(sig, '[1]', 'router')).toThrow(/no JSON object/)
  })
})
