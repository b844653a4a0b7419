/**
 * 2,000 concurrent evaluations through the recorder against a provider that fails 10% of requests
 * in every way it can (429 with Retry-After, 5xx, hangs past the timeout, connection resets,
 * malformed JSON): every case is accounted for (scored or errored), nothing rejects unhandled, only
 * valid responses are recorded, and the recordings replay to the same scores.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { evaluate } from '../../src/core/evaluate/evaluate.js'
import { Example } from '../../src/core/example/example.js'
import { LM } from '../../src/core/lm/lm.js'
import { Predict } from '../../src/core/predict/predict.js'
import { signature } from '../../src/core/signature/signature.js'
import { parseFixtureText } from '../../src/recording/file.js'
import { invalidEntryReason } from '../../src/recording/record.js'
import { startSimulator, type Simulator } from '../../src/testing/sim/server.js'
import { support } from '../testing/helpers.js'
import { startRecorder, tempDir, text } from '../recording/support.js'

const N = 2000
const HANGS = 4
/** A hang guard per request: only the injected hangs reach it, never a slow valid reply. */
const TIMEOUT_MS = 20_000
let sim: Simulator
let cleanup: () => void
let dir: string
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown): void => void unhandled.push(reason)

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled)
  const rate = (kind: string, r: number, extra: object = {}) => ({ kind, rate: r, seed: `load-${kind}`, ...extra })
  sim = await startSimulator({
    worlds: [support],
    // Hangs: a few requests that never answer, so the client's timeout and retry are exercised. The
    // timeout must be far above what a valid request takes on a busy machine (there every request
    // waits seconds for its turn), so a hang costs a long slot: a few hangs, not 1% of 2,000.
    faults: [rate('429', 0.025, { retryAfterMs: 5 }), rate('500', 0.035), { kind: 'hang', times: HANGS }, rate('truncated-sse', 0.02), rate('malformed-json', 0.02)] as never,
  })
  const t = tempDir()
  cleanup = t.cleanup
  dir = t.dir
})
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled)
  await sim?.close()
  cleanup?.()
})

const route = signature({
  instructions: 'Pick the queue that should handle the customer support ticket.',
  inputs: { ticket: z.string() },
  outputs: { queue: z.enum(['billing', 'technical', 'account', 'shipping', 'security', 'other']) },
})
const rows = [...support.train, ...support.test] as Array<{ ticket: string; queue: string }>
const examples = Array.from({ length: N }, (_, i) => {
  const row = rows[i % rows.length] as { ticket: string; queue: string }
  return new Example({ ticket: `${row.ticket} (ref ${i})`, queue: row.queue }, ['ticket'], `case-${i}`)
})
const metric = (ex: Example, pred: { queue: string }): number => (pred.queue === ex.data['queue'] ? 1 : 0)

test(`${N} concurrent evaluations with 10% mixed faults: every case accounted for, only valid responses recorded, replay agrees`, async () => {
  const file = join(dir, 'fixtures', 'load.test.ts.lm.json')
  const recorder = startRecorder({ mode: 'record-missing', hosts: [sim.url] })
  await recorder.useFile(file, 'load.test.ts')
  const lm = new LM({ model: 'sim-1', baseURL: sim.url, apiKey: 'sk-local-test-key', maxRetries: 4, retryBaseDelayMs: 1, maxRetryDelayMs: 20, timeoutMs: TIMEOUT_MS, concurrency: 32, cache: false })
  const live = await evaluate(new Predict(route), examples, metric, { concurrency: 32, settings: { lm }, maxErrors: N })
  const stats = await recorder.flush({ final: true })
  recorder.stop()

  expect(live.cases).toHaveLength(N)
  for (const c of live.cases) expect(c.error !== undefined || c.score === 0 || c.score === 1).toBe(true)
  const errored = live.cases.filter((c) => c.error !== undefined).length
  const faults = sim.stats().faults
  expect(Object.values(faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(N * 0.04)
  // The hangs happened and the client gave up on each and retried.
  expect(faults['hang']).toBe(HANGS)
  expect(unhandled).toEqual([])

  // Only valid responses were recorded, one per successful case.
  const data = parseFixtureText(file, text(file))
  const entries = Object.values(data.entries)
  for (const e of entries) expect(invalidEntryReason(e)).toBeUndefined()
  // Every case that succeeded was recorded (a reply may also land after its caller gave up).
  expect(entries.length).toBeGreaterThanOrEqual(N - errored)
  // Each recorded answer is in the file; on a slow machine a valid answer that outlived its caller's
  // timeout and the retry's answer are both recorded under the same key, so records can exceed entries.
  expect(stats?.recorded).toBeGreaterThanOrEqual(entries.length)
  expect(errored).toBeLessThan(N * 0.02)

  // Replay: the same cases score the same, with no network.
  await sim.close()
  const replayer = startRecorder({ mode: 'replay', hosts: [sim.url] })
  await replayer.useFile(file, 'load.test.ts')
  const replayLM = new LM({ model: 'sim-1', baseURL: sim.url, apiKey: 'sk-local-test-key', maxRetries: 0, cache: false, concurrency: 64 })
  // Every 10th case (200 of 2,000) is enough to show replay agrees; all of them would double the test.
  const sample = examples.filter((_, i) => i % 10 === 0)
  const replayed = await evaluate(new Predict(route), sample, metric, { concurrency: 64, settings: { lm: replayLM }, maxErrors: N })
  replayer.stop()
  for (let j = 0; j < sample.length; j++) {
    const i = j * 10
    const a = live.cases[i]
    const b = replayed.cases[j]
    if (a?.error === undefined) expect(b?.score, `case ${i}`).toBe(a?.score)
    else expect(b?.error).toBeDefined()
  }
  console.log(`[load] ${N} cases, faults ${JSON.stringify(faults)}, errored after retries ${errored}, recorded ${entries.length}`)
})
