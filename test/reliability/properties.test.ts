/**
 * Rules that hold for every input: arbitrary reply text through every adapter, arbitrary bytes as a
 * fixture file, a secret of every supported shape placed anywhere in a row, a header or a reply, and
 * case verdicts under any permutation of the dataset.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { z } from 'zod'
import { ChatAdapter } from '../../src/core/adapter/chat.js'
import { JSONAdapter } from '../../src/core/adapter/json.js'
import { signature } from '../../src/core/signature/signature.js'
import { AdapterParseError, isSimbaError } from '../../src/errors.js'
import { FIXTURE_VERSION, parseFixtureText, serializeFixtureFile } from '../../src/recording/file.js'
import { caseStatus } from '../../src/vitest/runtime/compare.js'
import { toCases } from '../../src/vitest/runtime/cases.js'
import { startScriptedServer, type ScriptedServer } from '../helpers/openai-server.js'
import { KEY_EXAMPLES } from '../recording/key-examples.js'
import { startRecorder, tempDir } from '../recording/support.js'
import { listFiles, ROOT } from '../e2e/harness.js'

describe('adapters never leak an untyped failure', () => {
  const outputs = { answer: z.string(), n: z.number(), ok: z.boolean(), pick: z.enum(['a', 'b']), items: z.array(z.string()).optional() }
  const sig = signature({ inputs: { q: z.string() }, outputs })
  /** What a successful parse must return: the declared output fields with their declared types, nothing else. */
  const parsedShape = z.object(outputs).strict()
  const value = fc.record({ answer: fc.stringMatching(/^[a-z]{1,12}$/), n: fc.integer({ min: -1000, max: 1000 }), ok: fc.boolean(), pick: fc.constantFrom('a' as const, 'b' as const) })
  type Value = { answer: string; n: number; ok: boolean; pick: 'a' | 'b' }
  /** A well-formed reply for each adapter, so the success branch is exercised too. */
  const wellFormed: Record<string, (v: Value) => string> = {
    chat: (v) => `${Object.entries(v).map(([k, x]) => `[[ ## ${k} ## ]]\n${String(x)}`).join('\n\n')}\n\n[[ ## completed ## ]]`,
    json: (v) => JSON.stringify(v),
  }
  test.each([
    ['chat', new ChatAdapter()],
    ['json', new JSONAdapter()],
  ])('%s: arbitrary reply text parses to the declared fields or throws a typed AdapterParseError', (name, adapter) => {
    const format = wellFormed[name] as (v: Value) => string
    const reply = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.json(),
      fc.array(fc.constantFrom('[[ ## answer ## ]]', '[[ ## n ## ]]', '3', 'true', '{', '}', '```json', '[[ ## completed ## ]]', 'a', '"x"'), { maxLength: 12 }).map((p) => p.join('\n')),
      value.map(format),
    )
    const seen = { parsed: 0, refused: 0 }
    fc.assert(
      fc.property(reply, (text) => {
        let out: Record<string, unknown> | undefined
        try {
          out = adapter.parse(sig, text, 'p')
        } catch (error) {
          expect(error).toBeInstanceOf(AdapterParseError)
          expect((error as AdapterParseError).code).toBe('SIMBA_ADAPTER_PARSE')
          seen.refused++
          return
        }
        expect(parsedShape.safeParse(out).success, JSON.stringify(out)).toBe(true)
        seen.parsed++
      }),
      { numRuns: 400 },
    )
    // Both branches ran: the property is not vacuously true of one kind of input.
    expect(seen.parsed).toBeGreaterThan(0)
    expect(seen.refused).toBeGreaterThan(0)
  })
  test.each([
    ['chat', new ChatAdapter()],
    ['json', new JSONAdapter()],
  ])('%s: a well-formed reply parses back to exactly its values', (name, adapter) => {
    const format = wellFormed[name] as (v: Value) => string
    fc.assert(fc.property(value, (v) => void expect(adapter.parse(sig, format(v), 'p')).toEqual(v)), { numRuns: 100 })
  })
})

describe('fixture files', () => {
  test('arbitrary bytes as a fixture file give a typed error naming the file (or parse), never a crash', () => {
    const { dir, cleanup } = tempDir()
    try {
      const file = join(dir, 'x.test.ts.lm.json')
      // Valid files too (any subset of a committed fixture file's entries), so the success branch is exercised.
      const committed = parseFixtureText('billing.test.ts.lm.json', readFileSync(join(ROOT, 'fixtures', 'projects', 'tickets', 'fixtures', 'billing.test.ts.lm.json'), 'utf8'))
      const valid = fc.subarray(Object.keys(committed.entries)).map((keys) => serializeFixtureFile(Object.fromEntries(keys.map((k) => [k, committed.entries[k]!]))))
      const seen = { parsed: 0, refused: 0 }
      fc.assert(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')), fc.json(), fc.string(), valid), (text) => {
          writeFileSync(file, text)
          let data: ReturnType<typeof parseFixtureText>
          try {
            data = parseFixtureText(file, text)
          } catch (error) {
            expect(isSimbaError(error)).toBe(true)
            expect((error as { code: string }).code).toMatch(/^SIMBA_FIXTURE_(CORRUPT|VERSION)$/)
            expect((error as Error).message).toContain(file)
            seen.refused++
            return
          }
          // Parsed: a current-version file whose entries survive a write and a re-read unchanged.
          expect(data.version).toBe(FIXTURE_VERSION)
          expect(Object.keys(data.entries).sort()).toEqual(Object.keys((JSON.parse(text) as { entries: object }).entries).sort())
          expect(parseFixtureText(file, serializeFixtureFile(data.entries))).toEqual(data)
          seen.parsed++
        }),
        { numRuns: 300 },
      )
      // Both branches ran: the property is not vacuously true of one kind of input.
      expect(seen.parsed).toBeGreaterThan(0)
      expect(seen.refused).toBeGreaterThan(0)
    } finally {
      cleanup()
    }
  })
})

describe('verdicts do not depend on row order', () => {
  test('any permutation of a dataset gives the same per-case verdicts against a stored baseline', () => {
    const row = fc.record({ q: fc.string({ maxLength: 80 }), r: fc.integer({ min: 0, max: 3 }) })
    fc.assert(
      fc.property(
        fc.uniqueArray(row, { minLength: 1, maxLength: 15, selector: (x) => JSON.stringify([x.q, x.r]) }),
        fc.func(fc.double({ min: 0, max: 1, noNaN: true })),
        fc.func(fc.double({ min: 0, max: 1, noNaN: true })),
        fc.integer(),
        (rows, scoreOf, baseOf, seed) => {
          const verdicts = (rs: typeof rows): Map<string, string> => {
            const cases = toCases('b', 'devset', rs, () => ['q', 'r'])
            return new Map(
              cases.map((c) => {
                const inputs = JSON.stringify(c.example.inputs())
                return [inputs, `${c.name} ${caseStatus({ score: scoreOf(inputs), baseline: baseOf(inputs), errored: false, caseThreshold: 1, tolerance: 0.05 })}`]
              }),
            )
          }
          const a = verdicts(rows)
          const shuffled = fc.sample(fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length }), { numRuns: 1, seed })[0] as typeof rows
          expect(verdicts(shuffled)).toEqual(a)
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('secrets never reach a file or a printed line', () => {
  let server: ScriptedServer
  let lastReplyExtra = ''
  beforeAll(async () => {
    server = await startScriptedServer({ reply: (body) => `echo ${body.messages.at(-1)?.content ?? ''} ${lastReplyExtra}` })
  })
  afterAll(async () => server.close())

  const files = (dir: string): string[] => listFiles(dir).map((f) => readFileSync(f, 'utf8'))

  test('a key of every supported shape, placed in the prompt, a custom header or the reply, is refused and masked', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...KEY_EXAMPLES.map(([k]) => k)), fc.constantFrom('prompt', 'header', 'reply'), fc.string({ maxLength: 20 }), async (key, where, noise) => {
        const { dir, cleanup } = tempDir()
        const printed: string[] = []
        const spies = (['log', 'warn', 'error', 'info'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void printed.push(a.map(String).join(' '))))
        const recorder = startRecorder({ mode: 'record-missing', hosts: [server.url] })
        try {
          mkdirSync(join(dir, 'fixtures'), { recursive: true })
          await recorder.useFile(join(dir, 'fixtures', 'p.test.ts.lm.json'), 'p.test.ts')
          lastReplyExtra = where === 'reply' ? key : ''
          const c = new OpenAI({
            apiKey: 'sk-local',
            baseURL: server.url,
            maxRetries: 0,
            defaultHeaders: where === 'header' ? { 'x-custom-auth': key } : {},
            fetch: (...a: Parameters<typeof fetch>) => globalThis.fetch(...a),
          })
          const content = where === 'prompt' ? `${noise} ${key} ${noise}` : where === 'header' ? `tell me ${key.slice(0, 0)}the header` : `${noise} hello`
          // The header case: the server echoes the prompt, so put the header's value in the prompt too.
          await c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: where === 'header' ? `${content} ${key}` : content }] })
          lastReplyExtra = ''
          await c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: `clean ${noise}` }] })
          const error = await recorder.flush({ final: true }).then(
            () => undefined,
            (e: unknown) => e,
          )
          expect(isSimbaError(error, 'SIMBA_SECRET')).toBe(true)
          printed.push(String((error as Error).message))
          const everything = [...files(dir), ...printed].join('\n')
          expect(everything).not.toContain(key)
          expect(everything).not.toContain(key.slice(4, 16))
          expect(everything).toContain('clean')
        } finally {
          recorder.stop()
          spies.forEach((s) => s.mockRestore())
          lastReplyExtra = ''
          cleanup()
        }
      }),
      { numRuns: 40 },
    )
  })
})
