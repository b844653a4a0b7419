#!/usr/bin/env node
/**
 * Agent overhead benchmark: what the ReAct loop itself costs. The order-desk agent (examples/
 * worlds/order-desk.json, its two tools, instructions that make it look orders and parcels up) runs
 * on the held-out cases once against the simulator, recording every LM request and reply and every
 * tool call. A loopback HTTP server then answers those exact requests instantly from the recording,
 * and two sides are timed in interleaved rounds: the agent (`ReAct.forward` on every case: prompt
 * building, parsing, argument validation, trajectory) and the same LM calls (`LM.call` with the
 * recorded messages) and tool calls (`run` with the recorded arguments) made directly, in the same
 * order. `agent_overhead_ratio` = median over rounds of agent time ÷ direct time (target <= 1.15);
 * `agent_overhead_ratio_cpu` the same for this process's CPU time (client and in-process server).
 * Run after a build: `npm run build && node bench/agent-overhead.mjs`. Env: BENCH_ROUNDS (default 5).
 */
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { LM, ReAct, signature, tool, withSettings } from '../dist/index.js'
import { loadWorld, startSimulator, worldToolDefinitions } from '../dist/testing.js'
import { emit, interleaved, median, rounds, show } from './lib.mjs'

const ROUNDS = rounds(5)
const file = fileURLToPath(new URL('../examples/worlds/order-desk.json', import.meta.url))
const world = loadWorld(file)
const cases = world.test.map((c) => ({ message: c.message }))

/** Tool calls made while recording, in order; the agent's tools are the world's, wrapped to log. */
let toolLog = null
const defs = worldToolDefinitions(world)
const tools = defs.map((d) => tool({ ...d, record: false, run: async (args) => { toolLog?.push({ name: d.name, args }); return d.run(args) } }))
const runByName = new Map(defs.map((d) => [d.name, d.run]))

function agent() {
  const sig = signature({ instructions: 'Decide how to resolve the customer message.', inputs: { message: z.string() }, outputs: { resolution: z.enum(world.labels) } })
  const a = new ReAct(sig, { tools, maxIters: 6 })
  a.react.instructions += '\n\nWhen the message mentions an order, call `lookup_order` with its number.\n\nWhen the order record has tracking information, call `track_parcel` with it.'
  a.extract.predict.instructions += `\n\n${world.mappings.map((r) => `A result showing "${r.keywords[0]}" means ${r.label}.`).join('\n')}`
  return a
}

// 1. Record: every request body → reply, and the sequence of LM and tool calls.
const sim = await startSimulator({ worlds: [file] })
const replies = new Map()
const sequence = []
const recordingFetch = async (url, init) => {
  const res = await fetch(url, init)
  const text = await res.text()
  replies.set(init.body, text)
  sequence.push({ kind: 'lm', messages: JSON.parse(init.body).messages })
  return new Response(text, { status: res.status, headers: { 'content-type': 'application/json' } })
}
toolLog = { push: (t) => sequence.push({ kind: 'tool', ...t }) }
const recLM = new LM({ model: 'bench-model', baseURL: sim.url, apiKey: 'bench', cache: false, temperature: 0, fetch: recordingFetch })
const recAgent = agent()
for (const c of cases) await withSettings({ lm: recLM }, () => recAgent.forward(c))
toolLog = null
await sim.close()
const lmCalls = sequence.filter((s) => s.kind === 'lm').length
const toolCalls = sequence.length - lmCalls

// 2. Replay server: answers each recorded request body with its recorded reply.
const server = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const reply = replies.get(Buffer.concat(chunks).toString('utf8'))
    res.writeHead(reply === undefined ? 404 : 200, { 'content-type': 'application/json' })
    res.end(reply ?? JSON.stringify({ error: { message: 'not recorded' } }))
  })
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const baseURL = `http://127.0.0.1:${server.address().port}/v1`
const lm = new LM({ model: 'bench-model', baseURL, apiKey: 'bench', cache: false, temperature: 0, maxRetries: 0 })
const replayAgent = agent()

const cpu = { agent: [], direct: [] }
const cpuMs = (u) => (u.user + u.system) / 1000
const agentSide = async () => {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  for (const c of cases) await withSettings({ lm }, () => replayAgent.forward(c))
  cpu.agent.push(cpuMs(process.cpuUsage(c0)))
  return performance.now() - t0
}
const directSide = async () => {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  for (const s of sequence) {
    if (s.kind === 'lm') await lm.call({ messages: s.messages })
    else await runByName.get(s.name)(s.args)
  }
  cpu.direct.push(cpuMs(process.cpuUsage(c0)))
  return performance.now() - t0
}
for (let i = 0; i < 3; i++) { await directSide(); await agentSide() } // warm JIT and sockets for both
cpu.agent.length = 0
cpu.direct.length = 0
const r = await interleaved(ROUNDS, directSide, agentSide)
// CPU time of this process (client and the in-process server) per side: less moved by other load than wall time.
const cpuRatios = cpu.agent.map((a, i) => a / cpu.direct[i])
server.close()
console.log(`${cases.length} cases: ${lmCalls} LM calls, ${toolCalls} tool calls per side`)
console.log(`direct (ms): ${show(r.a, 1)}`)
console.log(`agent  (ms): ${show(r.b, 1)}`)
console.log(`ratio agent/direct per round: ${show(r.ratios)}; median ${r.ratio.toFixed(3)} (target <= 1.15)`)
console.log(`CPU ratio agent/direct per round: ${show(cpuRatios)}; median ${median(cpuRatios).toFixed(3)}`)
emit({ agent_overhead_ratio: r.ratio, agent_overhead_rounds: r.ratios, agent_overhead_ratio_cpu: median(cpuRatios), agent_overhead_calls: { cases: cases.length, lm: lmCalls, tools: toolCalls } })
