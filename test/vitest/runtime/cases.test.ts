import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { Example } from '../../../src/core/example/example.js'
import { Module } from '../../../src/core/module/module.js'
import { Predict } from '../../../src/core/predict/predict.js'
import { ReAct } from '../../../src/core/react/react.js'
import { signature } from '../../../src/core/signature/signature.js'
import { sha256 } from '../../../src/internal/hash/sha256.js'
import { canonicalJson } from '../../../src/internal/json/canonical.js'
import { buildProgram, caseIdentity, inputKeysFor, toCases } from '../../../src/vitest/runtime/cases.js'
import type { OptimizeBlockOptions } from '../../../src/vitest/runtime/block-options.js'

/** The documented digest: first 8 hex digits of sha256 over the canonical [key, value] list of the inputs. */
const digest = (pairs: Array<[string, unknown]>): string => sha256(canonicalJson(pairs)).slice(0, 8)
const id = (data: Record<string, unknown>, keys: string[], explicit?: string) => {
  const { id: name, explicit: isExplicit } = caseIdentity(new Example(data, keys, explicit))
  return { id: name, explicit: isExplicit }
}
const KEY = `sk-${'a1B2c3D4'.repeat(4)}`

describe('case identity', () => {
  test('an explicit id wins: the Example id, else a non-empty id or name field (numbers too)', () => {
    expect(id({ q: 'x', id: 'field' }, ['q'], 'own')).toEqual({ id: 'own', explicit: true })
    expect(id({ q: 'x', id: 'field', name: 'n' }, ['q'], '')).toEqual({ id: 'field', explicit: true })
    expect(id({ q: 'x', id: 0 }, ['q'])).toEqual({ id: '0', explicit: true })
    expect(id({ q: 'x', id: '', name: 'named' }, ['q'])).toEqual({ id: 'named', explicit: true })
    expect(id({ q: 'x', id: null, name: 7 }, ['q'])).toEqual({ id: '7', explicit: true })
    expect(id({ q: 'x', id: true, name: '' }, ['q'])).toEqual({ id: 'x', explicit: false })
    expect(id({ q: 'x', id: `key ${KEY}` }, ['q'])).toEqual({ id: `key [masked OpenAI-style key (sk-…)] #${sha256(canonicalJson(`key ${KEY}`)).slice(0, 8)}`, explicit: true })
  })

  test('a single short one-line text input is its own identity (up to 60 characters)', () => {
    expect(id({ q: 'hello world' }, ['q'])).toEqual({ id: 'hello world', explicit: false })
    const sixty = 'x'.repeat(60)
    expect(id({ q: sixty }, ['q'])).toEqual({ id: sixty, explicit: false })
    const long = 'y'.repeat(61)
    expect(id({ q: long }, ['q'])).toEqual({ id: `${'y'.repeat(40)}… #${digest([['q', long]])}`, explicit: false })
  })

  test('otherwise the start of the first input (whitespace collapsed, 40 characters) plus the digest of every input', () => {
    expect(id({ q: 'two  spaces' }, ['q']).id).toBe(`two spaces #${digest([['q', 'two  spaces']])}`)
    expect(id({ q: ' padded' }, ['q']).id).toBe(`padded #${digest([['q', ' padded']])}`)
    expect(id({ q: 'line\nbreak' }, ['q']).id).toBe(`line break #${digest([['q', 'line\nbreak']])}`)
    expect(id({ q: 'same', r: 2 }, ['q', 'r']).id).toBe(`same #${digest([['q', 'same'], ['r', 2]])}`)
    expect(id({ q: 'same', r: undefined }, ['q', 'r']).id).toBe(`same #${digest([['q', 'same'], ['r', null]])}`)
    const forty = 'z'.repeat(40)
    expect(id({ q: forty, r: 1 }, ['q', 'r']).id).toBe(`${forty} #${digest([['q', forty], ['r', 1]])}`)
    expect(id({ q: `${forty}!`, r: 1 }, ['q', 'r']).id).toBe(`${forty}… #${digest([['q', `${forty}!`], ['r', 1]])}`)
  })

  test('inputs that are not text are named by their JSON; nothing to show gives the digest alone', () => {
    expect(id({ q: 5 }, ['q']).id).toBe(`5 #${digest([['q', 5]])}`)
    expect(id({ q: { a: [1] } }, ['q']).id).toBe(`{"a":[1]} #${digest([['q', { a: [1] }]])}`)
    expect(id({ q: '' }, ['q']).id).toBe(`#${digest([['q', '']])}`)
    expect(id({ q: '   ' }, ['q']).id).toBe(`#${digest([['q', '   ']])}`)
    expect(id({ q: undefined }, ['q']).id).toBe(`#${digest([['q', null]])}`)
  })

  test('a secret in the input is masked in the identity, which then carries the digest', () => {
    const { id: name } = id({ q: `use ${KEY}` }, ['q'])
    expect(name).toBe(`use [masked OpenAI-style key (sk-…)] #${digest([['q', `use ${KEY}`]])}`)
    expect(name).not.toContain(KEY)
  })
})

describe('toCases', () => {
  const keys = () => ['q']

  test('Example rows with input keys are used as they are; without, they get the block keys; plain rows become Examples', () => {
    const ex = new Example({ q: 'a', label: 1 }, ['q'])
    const bare = new Example({ q: 'b', label: 2 })
    const cases = toCases('b', 'trainset', [ex, bare, { q: 'c' }], keys)
    expect(cases[0]?.example).toBe(ex)
    expect(cases[1]?.example.inputKeys).toEqual(['q'])
    expect(cases[1]?.example.data).toEqual({ q: 'b', label: 2 })
    expect(cases[2]?.example).toBeInstanceOf(Example)
    expect(cases.map((c) => [c.split, c.name])).toEqual([
      ['trainset', 'a'],
      ['trainset', 'b'],
      ['trainset', 'c'],
    ])
  })

  test('only a real Example is taken as one: plain rows with Example-like fields are plain rows', () => {
    const rows = [
      { inputs: 'first', inputKeys: ['x'], data: {} },
      { inputs: () => ({}), inputKeys: 'x', data: {}, q: 'second' },
      { inputs: () => ({}), inputKeys: ['q'], data: 'x', q: 'third' },
    ]
    const named = toCases('b', 'trainset', [rows[0]!], () => ['inputs']).map((c) => c.name)
    expect(named).toEqual(['first'])
    expect(toCases('b', 'trainset', rows.slice(1), keys).map((c) => c.name)).toEqual(['second', 'third'])
  })

  test('a row that is not an object is a dataset error naming the block, split and row', () => {
    for (const [row, got] of [
      [null, 'null'],
      [undefined, 'undefined'],
      [3, '3'],
      ['text', 'text'],
      [['q'], 'an array'],
    ] as const) {
      expect(() => toCases('blk', 'devset', [{ q: 'ok' }, row as never], keys)).toThrow(
        expect.objectContaining({ code: 'SIMBA_DATASET', message: expect.stringContaining(`describe.optimize("blk"): devset case #1 is not an object (got ${got})`) }),
      )
    }
  })

  test('a row missing inputs names every missing key and the keys it has', () => {
    expect(() => toCases('blk', 'trainset', [{ a: 1, b: 2 }], () => ['q', 'a', 'r'])).toThrow(
      expect.objectContaining({ code: 'SIMBA_DATASET', message: expect.stringContaining('trainset case #0 has no input "q", "r" (keys: a, b)') }),
    )
  })

  test('duplicate identities: explicit ids and identical inputs get different fixes', () => {
    expect(() => toCases('blk', 'trainset', [{ id: 'x', q: 1 }, { id: 'x', q: 2 }], keys)).toThrow(
      expect.objectContaining({ code: 'SIMBA_DATASET', message: '[vitest-simba] describe.optimize("blk"): trainset rows #0 and #1 have the same id "x"; ids must be unique within a split (rename one).' }),
    )
    expect(() => toCases('blk', 'devset', [{ q: 'same' }, { q: 'same' }], keys)).toThrow(
      expect.objectContaining({
        message:
          '[vitest-simba] describe.optimize("blk"): devset rows #0 and #1 have identical inputs ("same"), so they are the same case. Give them ids (an `id` field) if they differ in their labels, or drop one.',
      }),
    )
  })

  test('a row whose text is another row\'s generated name is a different case with a different name', () => {
    const long = 'I was charged twice for my order and the support team never answered.'
    const generated = toCases('blk', 'trainset', [{ q: long }], keys)[0]!.name
    expect(generated).toMatch(/… #[0-9a-f]{8}$/)
    const cases = toCases('blk', 'trainset', [{ q: long }, { q: generated }], keys)
    expect(cases.map((c) => c.name)).toEqual([generated, `${generated.slice(0, 40)}… #${digest([['q', generated]])}`])
    // Texts that only end like a generated name are named with a digest too; other texts keep their own name.
    expect(id({ q: 'ref #0badcafe' }, ['q']).id).toBe(`ref #0badcafe #${digest([['q', 'ref #0badcafe']])}`)
    expect(id({ q: '#0badcafe' }, ['q']).id).toBe(`#0badcafe #${digest([['q', '#0badcafe']])}`)
    for (const plain of ['ref #0badcaf', 'ref#0badcafe', 'ref #0BADCAFE', 'ref #0badcafe.']) expect(id({ q: plain }, ['q']).id).toBe(plain)
  })

  test('different rows always get different names, also when some texts are other rows\' generated names (property)', () => {
    const text = fc.oneof(fc.string({ maxLength: 70 }), fc.constantFrom('x'.repeat(61), 'a\nb', `use ${KEY}`, 'ref #0badcafe'))
    fc.assert(
      fc.property(fc.uniqueArray(text, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 4 }), (texts, picks) => {
        // Some rows copy the generated name of another row as their text.
        const names = toCases('blk', 'trainset', texts.map((q) => ({ q })), keys).map((c) => c.name)
        const copies = picks.map((p) => names[p % names.length] as string).filter((n) => !texts.includes(n))
        const rows = [...texts, ...new Set(copies)].map((q) => ({ q }))
        const cases = toCases('blk', 'trainset', rows, keys)
        expect(new Set(cases.map((c) => c.name)).size).toBe(rows.length)
      }),
    )
  })

  test('ids that differ only inside a masked secret are different cases with different names', () => {
    const other = `sk-${'z9Y8x7W6'.repeat(4)}`
    const cases = toCases('blk', 'trainset', [{ id: `user ${KEY}`, q: 'a' }, { id: `user ${other}`, q: 'b' }], keys)
    expect(cases[0]!.name).not.toBe(cases[1]!.name)
    for (const c of cases) {
      expect(c.name).toMatch(/^user \[masked OpenAI-style key \(sk-…\)\] #[0-9a-f]{8}$/)
      expect(c.name).not.toContain(KEY)
      expect(c.name).not.toContain(other)
    }
    // The same id twice is still the same id, named without the secret.
    expect(() => toCases('blk', 'trainset', [{ id: `user ${KEY}`, q: 'a' }, { id: `user ${KEY}`, q: 'b' }], keys)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/rows #0 and #1 have the same id "user \[masked OpenAI-style key \(sk-…\)\] #[0-9a-f]{8}"/) }),
    )
  })

  test('object inputs are named canonically: the same value with its keys in another order is the same case, by name and digest', () => {
    const a = caseIdentity(new Example({ q: { b: 2, a: 1 } }, ['q']))
    const b = caseIdentity(new Example({ q: { a: 1, b: 2 } }, ['q']))
    expect(a.id).toBe(b.id)
    expect(a.id).toBe(`{"a":1,"b":2} #${digest([['q', { a: 1, b: 2 }]])}`)
    expect(() => toCases('blk', 'trainset', [{ q: { b: 2, a: 1 } }, { q: { a: 1, b: 2 } }], keys)).toThrow(expect.objectContaining({ message: expect.stringContaining('have identical inputs') }))
  })

  test('two different rows whose names would still coincide are refused as such, never as identical inputs', () => {
    // An explicit id equal to another row's text.
    expect(() => toCases('blk', 'trainset', [{ q: 'refund' }, { id: 'refund', q: 'other' }], keys)).toThrow(
      expect.objectContaining({
        message:
          '[vitest-simba] describe.optimize("blk"): trainset rows #0 and #1 are different cases but would both be named "refund" (row #0 by its inputs, row #1 by its id). Give row #1 an id (an `id` field) that no other row uses.',
      }),
    )
  })

  test('legacy (0.1) names number repeated names by position and skip names already taken', () => {
    const rows = [{ id: 'a', q: 'same' }, { id: 'b', q: 'same (2)' }, { id: 'c', q: 'same' }, { id: 'd', q: 'same' }, { id: 'e', q: 'other' }]
    // Ids make the identities unique; the legacy names come from the first input alone (ids ignored here).
    const legacy = toCases('blk', 'trainset', rows.map(({ q }, i) => ({ q, k: i })), () => ['q', 'k']).map((c) => c.legacyName)
    expect(legacy).toEqual(['same', 'same (2)', 'same (3)', 'same (4)', 'other'])
    const simple = toCases('blk', 'trainset', [{ q: 'x', k: 1 }, { q: 'x', k: 2 }, { q: 'y', k: 3 }, { q: 'x', k: 4 }], () => ['q', 'k']).map((c) => c.legacyName)
    expect(simple).toEqual(['x', 'x (2)', 'y', 'x (3)'])
  })
})

describe('programs and input keys', () => {
  const sig = signature({ instructions: 'Answer.', inputs: { question: z.string(), context: z.string() }, outputs: { answer: z.string() } })
  test('buildProgram returns the Module a factory makes (sync or async) and refuses anything else, naming the block', async () => {
    const p = new Predict(sig)
    expect(await buildProgram('b', () => p)).toBe(p)
    expect(await buildProgram('b', async () => p)).toBe(p)
    for (const [made, got] of [
      [null, 'null'],
      [{}, 'object'],
      [3, 'number'],
      [undefined, 'undefined'],
    ] as const) {
      await expect(buildProgram('blk', () => made as never)).rejects.toMatchObject({
        code: 'SIMBA_CONFIG',
        message: expect.stringContaining(`describe.optimize("blk"): option "program" must return a Module or Predict (got ${got}); to test a plain async function, declare its inputs parameter`),
      })
    }
  })

  test('input keys: the inputs option, else the first predictor of the sample program, else an error naming the fix', () => {
    const opts = (over: Partial<OptimizeBlockOptions>) => ({ program: () => null, trainset: [], metric: () => 1, ...over }) as unknown as OptimizeBlockOptions
    const given = ['a', 'b']
    const fromOption = inputKeysFor('b', opts({ inputs: given }), new Predict(sig))
    expect(fromOption).toEqual(['a', 'b'])
    expect(fromOption).not.toBe(given)
    expect(inputKeysFor('b', opts({}), new Predict(sig))).toEqual(['question', 'context'])
    // An agent's first predictor also reads its trajectory: the keys come from the agent's own signature.
    expect(inputKeysFor('b', opts({}), new ReAct(sig, { tools: [] }))).toEqual(['question', 'context'])
    class NoPredictors extends Module<{ q: string }, { a: string }> {
      async forward(): Promise<{ a: string }> {
        return { a: '' }
      }
    }
    expect(() => inputKeysFor('blk', opts({}), new NoPredictors())).toThrow(expect.objectContaining({ code: 'SIMBA_CONFIG' }))
    expect(() => inputKeysFor('blk', opts({}), undefined)).toThrow(expect.objectContaining({ code: 'SIMBA_CONFIG', message: expect.stringContaining('describe.optimize("blk"): cannot tell the input keys of the cases; pass inputs:') }))
  })
})
