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
import { parseFixtureText } from '../../src/recording/file.js'
import { caseStatus } from '../../src/vitest/runtime/compare.js'
import { toCases } from '../../src/vitest/runtime/cases.js'
import { startScriptedServer, type ScriptedServer } from '../helpers/openai-server.js'
import { KEY_EXAMPLES } from '../recording/key-examples.js'
import { startRecorder, tempDir } from '../recording/support.js'
import { listFiles } from '../e2e/harness.js'

describe('adapters never leak an untyped failure', () => {
  const sig = signature({
    inputs: { q: z.string() },
    outputs: { answer: z.string(), n: z.number(), ok: z.boolean(), pick: z.enum(['a', 'b']), items: z.array(z.string()).optional() },
  })
  test.each([
    ['chat', new ChatAdapter()],
    ['json', new JSONAdapter()],
  ])('%s: arbitrary reply text parses to values or throws a typed AdapterParseError', (_name, adapter) => {
    const reply = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.json(),
      fc.array(fc.constantFrom('[[ ## answer ## ]]', '[[ ## n ## ]]', '3', 'true', '{', '}', '```json', '[[ ## completed ## ]]', 'a', '"x"'), { maxLength: 12 }).map((p) => p.join('\n')),
    )
    fc.assert(
      fc.property(reply, (text) => {
        try {
          const out = adapter.parse(sig, text, 'p')
          expect(typeof out).toBe('object')
        } catch (error) {
          expect(error).toBeInstanceOf(AdapterParseError)
          expect((error as AdapterParseError).code).toBe('SIMBA_ADAPTER_PARSE')
        }
      }),
      { numRuns: 400 },
    )
  })
})

describe('fixture files', () => {
  test('arbitrary bytes as a fixture file give a typed error naming the file (or parse), never a crash', () => {
    const { dir, cleanup } = tempDir()
    try {
      const file = join(dir, 'x.test.ts.lm.json')
      fc.assert(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')), fc.json(), fc.string()), (text) => {
          writeFileSync(file, text)
          try {
            parseFixtureText(file, text)
          } catch (error) {
            expect(isSimbaError(error)).toBe(true)
            expect((error as { code: string }).code).toMatch(/^SIMBA_FIXTURE_(CORRUPT|VERSION)$/)
            expect((error as Error).message).toContain(file)
          }
        }),
        { numRuns: 300 },
      )
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
