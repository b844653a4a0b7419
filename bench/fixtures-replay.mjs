// Fixture recorder benchmark: lookup throughput and load time of a 10,000-entry fixture file, and
// the cost of a replayed call (msw + fixture lookup, openai SDK client) vs the same call answered by
// a loopback OpenAI-compatible server, measured in interleaved rounds (median of the per-round
// ratios of median latencies).
// Usage: npm run build && node bench/fixtures-replay.mjs
//        (SIMBA_DIST=/tmp/out node bench/fixtures-replay.mjs to use another build folder)
// Env: BENCH_ROUNDS (default 5), BENCH_TIME_MS (per side per round, default 500).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import OpenAI from 'openai'
import { Bench } from 'tinybench'
import { emit, median, rounds, show } from './lib.mjs'

const dist = resolve(process.env.SIMBA_DIST ?? new URL('../dist', import.meta.url).pathname)
const fx = await import(pathToFileURL(join(dist, 'recording/index.js')).href)
const N = 10_000
const ROUNDS = rounds(5)
const TIME = Number(process.env.BENCH_TIME_MS ?? 500)
const dir = mkdtempSync(join(tmpdir(), 'simba-bench-fixtures-'))

const body = (i) => ({ model: 'test-model', temperature: 0, messages: [{ role: 'system', content: 'Classify the ticket into a queue. '.repeat(8) }, { role: 'user', content: `ticket number ${i}: my invoice is wrong` }] })
const completion = (text) => ({ id: 'c', object: 'chat.completion', created: 0, model: 'test-model', choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })

// A 10,000-entry fixture file.
const entries = {}
const bodies = []
for (let i = 0; i < N; i++) {
  const text = JSON.stringify(body(i))
  bodies.push(text)
  const request = fx.canonicalRequest({ method: 'POST', path: '/chat/completions', bodyText: text })
  entries[fx.fixtureKey(request)] = { request, response: { status: 200, headers: { 'content-type': 'application/json' }, body: completion(`billing ${i}`) }, provenance: { model: 'test-model', recordedAt: '2026-01-01T00:00:00.000Z', library: 'vitest-simba@bench' } }
}
const file = join(dir, 'big.test.ts.lm.json')
const fileText = fx.serializeFixtureFile(entries)
writeFileSync(file, fileText)
const loads = []
for (let k = 0; k < 5; k++) {
  const t0 = performance.now()
  fx.readFixtureFile(file)
  loads.push(performance.now() - t0)
}
// The same entries in a 1,000-entry file, to see how load time grows with the entry count.
const small = join(dir, 'small.test.ts.lm.json')
writeFileSync(small, fx.serializeFixtureFile(Object.fromEntries(Object.entries(entries).slice(0, 1000))))
const smallLoads = []
for (let k = 0; k < 5; k++) {
  const t0 = performance.now()
  fx.readFixtureFile(small)
  smallLoads.push(performance.now() - t0)
}
const map = new Map(Object.entries(fx.readFixtureFile(file).data.entries))

let i = 0
const lookups = new Bench({ name: 'lookup', time: 500, warmupTime: 100 })
lookups
  .add('key + lookup (canonical body, sha256, Map.get)', () => {
    const req = fx.canonicalRequest({ method: 'POST', path: '/chat/completions', bodyText: bodies[i++ % N] })
    if (!map.get(fx.fixtureKey(req))) throw new Error('miss')
  })
  .add(`parse + validate ${N}-entry file (${(fileText.length / 1e6).toFixed(1)} MB)`, () => {
    fx.parseFixtureText(file, fileText)
  })
  .add(`serialize ${N}-entry file`, () => {
    fx.serializeFixtureFile(entries)
  })
await lookups.run()

// Loopback server answering every chat completion.
const server = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(completion('billing 0')))
  })
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const baseURL = `http://127.0.0.1:${server.address().port}/v1`
const sdk = new OpenAI({ apiKey: 'bench', baseURL, maxRetries: 0, fetch: (...a) => globalThis.fetch(...a) })
const post = () => fetch(`${baseURL}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[0] }).then((r) => r.json())
const viaSdk = () => sdk.chat.completions.create(JSON.parse(bodies[0]))

const oneRound = async (label) => {
  const b = new Bench({ name: label, time: TIME, warmupTime: 100 })
  b.add('openai SDK', viaSdk)
  await b.run()
  return b.tasks[0]
}
const recorder = fx.createFixtureRecorder({ hosts: [baseURL], mode: 'replay', ci: true, libraryVersion: 'bench' })
await recorder.useFile(file)
const direct = async () => oneRound('direct')
const replayed = async () => {
  recorder.start()
  try {
    return await oneRound('replayed')
  } finally {
    recorder.stop()
  }
}
for (let k = 0; k < 200; k++) await viaSdk() // warm sockets and JIT
recorder.start()
for (let k = 0; k < 200; k++) await viaSdk()
recorder.stop()
const directs = []
const replays = []
for (let r = 0; r < ROUNDS; r++) {
  if (r % 2 === 0) { directs.push(await direct()); replays.push(await replayed()) }
  else { replays.push(await replayed()); directs.push(await direct()) }
}
const stats = await recorder.flush()
const directFetch = await (async () => { const b = new Bench({ time: TIME }); b.add('fetch', post); await b.run(); return b.tasks[0] })()
server.close()
rmSync(dir, { recursive: true, force: true })

const us = (t) => t.result.latency.mean * 1000
const p50 = (t) => t.result.latency.p50 * 1000
console.log(`\nLookup on a ${N}-entry fixture file (Node ${process.version})`)
console.table(lookups.tasks.map((t) => ({ task: t.name, 'ops/s (1/mean)': Math.round(1e6 / us(t)), 'mean µs': us(t).toFixed(2), 'p50 µs': p50(t).toFixed(2) })))
const p50Ratios = replays.map((t, k) => p50(t) / p50(directs[k]))
const meanRatios = replays.map((t, k) => us(t) / us(directs[k]))
console.log(`Replayed call (msw + fixture lookup) vs direct call to the loopback server, openai SDK client, ${ROUNDS} interleaved rounds of ${TIME} ms`)
console.table(directs.map((t, k) => ({ round: k, 'direct p50 µs': p50(t).toFixed(1), 'replayed p50 µs': p50(replays[k]).toFixed(1), 'ratio (p50)': p50Ratios[k].toFixed(2), 'ratio (mean)': meanRatios[k].toFixed(2) })))
console.log(`replay_overhead_ratio (median of per-round p50 ratios) = ${median(p50Ratios).toFixed(3)} (target <= 1.2); per round ${show(p50Ratios)}`)
console.log(`plain fetch to the loopback server (no SDK), p50 ${p50(directFetch).toFixed(1)} µs`)
console.log(`fixture file: ${N} entries, ${(fileText.length / 1e6).toFixed(2)} MB, load (read + parse + validate) median ${median(loads).toFixed(1)} ms of ${loads.length}`)
console.log(`fixture file: 1000 entries, load median ${median(smallLoads).toFixed(1)} ms (10,000 ÷ 1,000 load time ${(median(loads) / median(smallLoads)).toFixed(1)}x)`)
console.log(`replay stats: replayed=${stats?.replayed} missing=${stats?.missing} written=${stats?.written}`)
emit({
  replay_overhead_ratio: median(p50Ratios),
  replay_overhead_ratio_mean_latency: median(meanRatios),
  replay_overhead_ratio_rounds: p50Ratios,
  fixture_file_entries: N,
  fixture_file_bytes: Buffer.byteLength(fileText),
  fixture_file_load_ms: median(loads),
  fixture_file_load_ms_1000_entries: median(smallLoads),
  fixture_lookup_us: us(lookups.tasks[0]),
})
