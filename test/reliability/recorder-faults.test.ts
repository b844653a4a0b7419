/**
 * The recorder in front of the simulated provider's fault injection: only complete, valid responses
 * are recorded, no malformed response hangs a caller (live or in replay), a stalled call never costs
 * the file its other recordings, and two writers of one file merge instead of overwriting.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { APIError } from 'openai'
import { afterEach, describe, expect, test } from 'vitest'
import { LM } from '../../src/core/lm/lm.js'
import { isSimbaError } from '../../src/errors.js'
import type { FixtureRecorder } from '../../src/recording/recorder.js'
import { FixtureFileStore } from '../../src/recording/store.js'
import type { FaultPlan } from '../../src/testing/sim/faults.js'
import { startSimulator, type Simulator } from '../../src/testing/sim/server.js'
import { support, wireMessages } from '../testing/helpers.js'
import { waitUntil } from '../helpers/wait.js'
import { client, startRecorder, tempDir, text } from '../recording/support.js'

let sim: Simulator | undefined
let recorder: FixtureRecorder | undefined
let cleanup: (() => void) | undefined
afterEach(async () => {
  recorder?.stop()
  await sim?.close()
  cleanup?.()
  sim = recorder = cleanup = undefined
})

async function setup(faults?: FaultPlan, mode: 'record-missing' | 're-record' = 'record-missing') {
  sim = await startSimulator({ worlds: [support], ...(faults ? { faults } : {}) })
  const t = tempDir()
  cleanup = t.cleanup
  const file = join(t.dir, 'fixtures', 'r.test.ts.lm.json')
  recorder = startRecorder({ mode, hosts: [sim.url] })
  await recorder.useFile(file, 'r.test.ts')
  return { url: sim.url, file, dir: t.dir }
}

const messages = (ticket: string) => wireMessages({ inputs: ['ticket'], outputs: ['queue'], values: { ticket } })
const entries = (file: string): Record<string, { response: { chunks?: string[] } }> => (existsSync(file) ? JSON.parse(text(file)).entries : {})

async function streamOnce(url: string, ticket: string, maxRetries = 0): Promise<string> {
  const stream = await client(url, { maxRetries }).chat.completions.create({ model: 'm', temperature: 0, messages: messages(ticket), stream: true })
  let out = ''
  for await (const c of stream) out += c.choices[0]?.delta.content ?? ''
  return out
}

describe('only complete, valid responses are recorded', () => {
  test.each([
    ['a stream cut short (no [DONE])', { kind: 'truncated-sse', truncate: 'no-done' } as const],
    ['a stream cut mid-chunk', { kind: 'truncated-sse', truncate: 'mid-chunk' } as const],
    ['a stream with a malformed chunk', { kind: 'malformed-json' } as const],
  ])('%s is an error (5xx, retried), never a fixture; the retry that succeeds is recorded', async (_name, fault) => {
    const { url, file } = await setup([{ ...fault, times: 1 }])
    const error = await streamOnce(url, 'The app crashes on start').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(APIError)
    expect((error as APIError).status).toBe(502)
    expect((error as Error).message).toMatch(/incomplete or malformed response.*not recorded/)
    await recorder!.flush()
    expect(Object.keys(entries(file))).toHaveLength(0)
    // The fault hit once; the SDK's own retry now gets and records the complete stream.
    const ok = await streamOnce(url, 'The app crashes on start', 1)
    expect(ok).toContain('[[ ## queue ## ]]')
    await recorder!.flush()
    const recorded = Object.values(entries(file))
    expect(recorded).toHaveLength(1)
    expect(recorded[0]?.response.chunks?.at(-1)).toBe('data: [DONE]')
  })

  test('a 200 whose JSON body is malformed is not recorded and the LM retries it like a 5xx', async () => {
    const { url, file } = await setup([{ kind: 'malformed-json', times: 1 }])
    const lm = new LM({ model: 'm', baseURL: url, apiKey: 'sk-local-test', maxRetries: 2, retryBaseDelayMs: 1, cache: false })
    const result = await lm.call({ messages: messages('I was charged twice') })
    expect(result.text).toContain('[[ ## queue ## ]]')
    expect(sim!.stats().faults['malformed-json']).toBe(1)
    await recorder!.flush()
    expect(Object.keys(entries(file))).toHaveLength(1)
  })

  test('an incomplete stream already in a fixture file is refused on replay with the fix, never hangs', async () => {
    const { url, file } = await setup()
    await streamOnce(url, 'Where is my parcel?')
    await recorder!.flush({ final: true })
    recorder!.stop()
    const data = JSON.parse(text(file))
    const key = Object.keys(data.entries)[0] as string
    data.entries[key].response.chunks = data.entries[key].response.chunks.slice(0, 2)
    writeFileSync(file, JSON.stringify(data))
    recorder = startRecorder({ mode: 'replay', hosts: [url] })
    await recorder.useFile(file, 'r.test.ts')
    const error = await streamOnce(url, 'Where is my parcel?', 2).catch((e: unknown) => e)
    expect((error as APIError).status).toBe(422)
    expect((error as Error).message).toContain('not a complete response')
    expect((error as Error).message).toContain('r.test.ts -u')
  })
})

describe('recordings are never lost', () => {
  test('a stalled call does not hold back the file: what was recorded is on disk before the flush, the flush does not wait, the stalled call is counted', async () => {
    const stall = 'The printer is on fire'
    const { url, file } = await setup([{ kind: 'hang', match: (r) => JSON.stringify(r.body).includes(stall) }])
    const c = client(url, { maxRetries: 0 })
    const tickets = ['I was charged twice', 'Where is my parcel?', 'Reset my password please', 'Export my data']
    for (const t of tickets) await c.chat.completions.create({ model: 'm', temperature: 0, messages: messages(t) })
    const hung = c.chat.completions.create({ model: 'm', temperature: 0, messages: messages(stall) }, { timeout: 60_000 }).catch(() => 'gave up')
    // Written as they arrive, before any flush (a killed run keeps them).
    await waitUntil(`${tickets.length} entries in ${file}`, () => Object.keys(entries(file)).length >= tickets.length)
    expect(Object.keys(entries(file))).toHaveLength(tickets.length)
    const stats = await recorder!.flush({ final: true })
    expect(stats).toMatchObject({ recorded: tickets.length, notRecorded: 1 })
    expect(Object.keys(entries(file))).toHaveLength(tickets.length)
    await sim!.close()
    sim = undefined
    expect(await hung).toBe('gave up')
  })

  test('a call given up by its caller is not shared: the retry of the same request is sent afresh and recorded', async () => {
    const { url, file } = await setup([{ kind: 'hang', times: 1 }])
    const c = client(url, { maxRetries: 0 })
    const body = { model: 'm', temperature: 0, messages: messages('My invoice is wrong') }
    const abort = new AbortController()
    const first = c.chat.completions.create(body, { signal: abort.signal }).catch(() => 'gave up')
    // The provider holds the first request; its caller gives up (as a client timeout would).
    await waitUntil('the first request to hang', () => (sim!.stats().faults['hang'] ?? 0) === 1)
    abort.abort()
    expect(await first).toBe('gave up')
    // The same request again: before, it joined the abandoned call and hung with it.
    const second = await c.chat.completions.create(body, { timeout: 60_000 })
    expect(second.choices[0]?.message.content).toContain('queue')
    await recorder!.flush({ final: true })
    expect(Object.keys(entries(file))).toHaveLength(1)
  })

  test('two writers of one file merge their entries instead of the last one winning', async () => {
    const { url, file } = await setup()
    const c = client(url, { maxRetries: 0 })
    await c.chat.completions.create({ model: 'm', temperature: 0, messages: messages('first writer') })
    // A second process (simulated by a second store) read the file before the first one wrote…
    const other = new FixtureFileStore(file, 'r.test.ts', 'record-missing')
    await recorder!.flush()
    const entry = Object.values(JSON.parse(text(file)).entries)[0] as never
    other.add('0'.repeat(64), { ...(entry as object), request: { method: 'POST', path: '/chat/completions', body: { other: true } } } as never)
    await other.flush({ final: true })
    await c.chat.completions.create({ model: 'm', temperature: 0, messages: messages('first writer again') })
    await recorder!.flush({ final: true })
    const keys = Object.keys(entries(file))
    expect(keys).toHaveLength(3)
    expect(keys).toContain('0'.repeat(64))
    expect(readdirSync(dirname(file)).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock'))).toEqual([])
  })

  test('orphan temp files of a killed writer are swept by the next write; live writers are left alone', async () => {
    const { url, file } = await setup()
    mkdirSync(dirname(file), { recursive: true })
    const orphan = `${file}.999999.1700000000000.0.tmp`
    const mine = `${file}.${process.pid}.1700000000000.7.tmp`
    writeFileSync(orphan, '{"half": ')
    writeFileSync(mine, '{}')
    await client(url, { maxRetries: 0 }).chat.completions.create({ model: 'm', temperature: 0, messages: messages('sweep') })
    await recorder!.flush({ final: true })
    expect(existsSync(orphan)).toBe(false)
    expect(existsSync(mine)).toBe(true)
  })

  test('a newer-format file is never overwritten, also when recording', async () => {
    sim = await startSimulator({ worlds: [support] })
    const t = tempDir()
    cleanup = t.cleanup
    const file = join(t.dir, 'fixtures', 'n.test.ts.lm.json')
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, '{"version": 3, "entries": {}}')
    recorder = startRecorder({ mode: 're-record', hosts: [sim.url] })
    const error = await recorder.useFile(file).catch((e: unknown) => e)
    expect(isSimbaError(error, 'SIMBA_FIXTURE_VERSION')).toBe(true)
    expect(text(file)).toBe('{"version": 3, "entries": {}}')
  })
})
