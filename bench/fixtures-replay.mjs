// Fixture recorder benchmark: lookup throughput on a 5,000-entry file, and the cost of a replayed
// call (msw + fixture lookup) vs a direct call to a loopback OpenAI-compatible server.
// Usage: npx tsc -p tsconfig.build.json && node bench/fixtures-replay.mjs
//        (SIMBA_DIST=/tmp/out node bench/fixtures-replay.mjs to use another build folder)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import OpenAI from 'openai'
import { Bench } from 'tinybench'

const dist = resolve(process.env.SIMBA_DIST ?? new URL('../dist', import.meta.url).pathname)
const fx = await import(pathToFileURL(join(dist, 'recording/index.js')).href)
const N = 5000
const dir = mkdtempSync(join(tmpdir(), 'simba-bench-fixtures-'))

const body = (i) => ({ model: 'test-model', temperature: 0, messages: [{ role: 'system', content: 'Classify the ticket into a queue. '.repeat(8) }, { role: 'user', content: `ticket number ${i}: my invoice is wrong` }] })
const completion = (text) => ({ id: 'c', object: 'chat.completion', created: 0, model: 'test-model', choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })

// A 5,000-entry fixture file.
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

const calls = async (label) => {
  const b = new Bench({ name: label, time: 1000, warmupTime: 200 })
  b.add('fetch', post).add('openai SDK', viaSdk)
  await b.run()
  return b
}
const direct = await calls('direct')
const recorder = fx.createFixtureRecorder({ hosts: [baseURL], mode: 'replay', ci: true, libraryVersion: 'bench' })
recorder.start()
await recorder.useFile(file)
const replay = await calls('replayed')
const stats = await recorder.flush()
recorder.stop()
server.close()
rmSync(dir, { recursive: true, force: true })

const us = (t) => t.result.latency.mean * 1000
const p50 = (t) => t.result.latency.p50 * 1000
console.log(`\nLookup on a ${N}-entry fixture file (Node ${process.version})`)
console.table(lookups.tasks.map((t) => ({ task: t.name, 'ops/s (1/mean)': Math.round(1e6 / us(t)), 'mean µs': us(t).toFixed(2), 'p50 µs': p50(t).toFixed(2) })))
console.log('Replayed call (msw + fixture lookup) vs direct call to the loopback server')
console.table(direct.tasks.map((t, k) => {
  const r = replay.tasks[k]
  return { client: t.name, 'direct mean µs': us(t).toFixed(1), 'replayed mean µs': us(r).toFixed(1), 'ratio (mean)': (us(r) / us(t)).toFixed(2), 'direct p50 µs': p50(t).toFixed(1), 'replayed p50 µs': p50(r).toFixed(1), 'ratio (p50)': (p50(r) / p50(t)).toFixed(2) }
}))
console.log(`replay stats: replayed=${stats.replayed} missing=${stats.missing} written=${stats.written}`)
