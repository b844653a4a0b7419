#!/usr/bin/env node
/**
 * LM overhead benchmark: the openai SDK's chat.completions.create called directly vs our
 * LM.call (cache off), against the same loopback server that answers instantly, in the same run.
 * Also repeats the comparison with an in-process fetch stub (no sockets) to isolate CPU overhead.
 * Run after a build: `npx tsc -p tsconfig.build.json && node bench/lm-overhead.mjs`.
 * Env: BENCH_TIME_MS (per task per round, default 500), BENCH_ROUNDS (default 5).
 * The reported ratio is the median over rounds of (our median latency / direct median latency);
 * medians resist the GC pauses and CPU contention that skew means on a shared machine.
 */
import { createServer } from 'node:http'
import OpenAI from 'openai'
import { Bench } from 'tinybench'
import { LM } from '../dist/core/lm/lm.js'
import { emit, median } from './lib.mjs'

const TIME = Number(process.env.BENCH_TIME_MS ?? 500)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

const completion = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 0, model: 'bench-model',
  choices: [{ index: 0, message: { role: 'assistant', content: '[[ ## answer ## ]]\nfour\n[[ ## completed ## ]]' }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
})
const messages = [
  { role: 'system', content: 'Answer the question.\n\n## Fields\nInputs:\n- `question` (string)\nOutputs:\n- `answer` (string)' },
  { role: 'user', content: '[[ ## question ## ]]\nWhat is two plus two?' },
]

const server = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(completion)
  })
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const baseURL = `http://127.0.0.1:${server.address().port}/v1`
const stubFetch = async () => new Response(completion, { status: 200, headers: { 'content-type': 'application/json' } })

function pair(label, fetchImpl) {
  const sdk = new OpenAI({ baseURL, apiKey: 'bench', maxRetries: 0, timeout: 60_000, ...(fetchImpl ? { fetch: fetchImpl } : {}) })
  const lm = new LM({ model: 'bench-model', baseURL, apiKey: 'bench', cache: false, ...(fetchImpl ? { fetch: fetchImpl } : {}) })
  return {
    label,
    direct: async () => {
      const r = await sdk.chat.completions.create({ model: 'bench-model', messages, temperature: 0 })
      if (!r.choices[0].message.content) throw new Error('no text')
    },
    ours: async () => {
      const r = await lm.call({ messages })
      if (!r.text) throw new Error('no text')
    },
  }
}

async function measure({ label, direct, ours }) {
  for (let i = 0; i < 300; i++) { await direct(); await ours() } // JIT, sockets and pools warm for both
  const ratios = []
  const meanRatios = []
  let last
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ name: label, time: TIME, warmupTime: 200 })
    // alternate the order each round so neither side always runs first
    if (round % 2 === 0) bench.add('openai SDK direct', direct).add('LM.call (cache off)', ours)
    else bench.add('LM.call (cache off)', ours).add('openai SDK direct', direct)
    await bench.run()
    const get = (name) => bench.tasks.find((t) => t.name === name).result
    for (const t of bench.tasks) if (t.result.state !== 'completed') throw new Error(`${t.name}: ${t.result.state} ${t.result.error ?? ''}`)
    const d = get('openai SDK direct').latency
    const o = get('LM.call (cache off)').latency
    ratios.push(o.p50 / d.p50)
    meanRatios.push(o.mean / d.mean)
    last = bench
  }
  console.log(`\n## ${label} (last round of ${ROUNDS}, ${TIME} ms per task)`)
  console.table(last.table())
  const show = (xs) => xs.map((r) => r.toFixed(3)).join(', ')
  console.log(`ratio ours/direct, median latency, per round: ${show(ratios)}; median ${median(ratios).toFixed(3)}`)
  console.log(`ratio ours/direct, mean latency,   per round: ${show(meanRatios)}; median ${median(meanRatios).toFixed(3)}`)
  return { p50: median(ratios), mean: median(meanRatios), rounds: ratios }
}

const http = await measure(pair('loopback HTTP server', undefined))
const stub = await measure(pair('in-process fetch stub (CPU overhead only)', stubFetch))
server.close()
console.log(`\nRESULT loopback ratio ours/direct = ${http.p50.toFixed(3)} (target <= 1.10); stub ratio = ${stub.p50.toFixed(3)}`)
emit({
  overhead_ratio: http.p50,
  overhead_ratio_mean_latency: http.mean,
  overhead_ratio_rounds: http.rounds,
  overhead_ratio_cpu_only: stub.p50,
})
