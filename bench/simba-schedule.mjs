#!/usr/bin/env node
/**
 * SIMBA schedule benchmark: one run (N=6, bsize=32, 4 steps, concurrency 64) against a loopback
 * OpenAI-compatible HTTP server on 127.0.0.1 (real sockets, the real `LM` class, cache off) whose
 * task calls take 100 ms and rule-writing calls 500 ms. Reports
 *  (a) step_efficiency = Σ ideal ÷ Σ measured step wall time, ideal per step =
 *      ⌈rollouts/64⌉·100ms + (500ms if the step wrote any rule) + ⌈candidate evals/64⌉·100ms;
 *  (b) wall time of schedule 'sequential' ÷ 'concurrent' (same seed; results must be identical);
 *  (c) calls_per_step_ratio = live LM calls per step (from the step-end events' usage) ÷ the
 *      algorithm's count (N + C_t)·B·P + Q_t (docs/simba.md, "LM calls per step").
 * Concurrent and sequential runs alternate for BENCH_ROUNDS rounds (default 3); medians reported.
 * BENCH_LM=http (default) uses the real `LM` over HTTP; BENCH_LM=scripted uses an in-process
 * LanguageModel with the same replies and setTimeout latencies (isolates the scheduler from the
 * HTTP client/server CPU cost, which dominates on a loaded 2-core machine). BENCH_LM=both runs both.
 * Run after a build: `npx tsc -p tsconfig.build.json && node bench/simba-schedule.mjs`
 * (SIMBA_DIST=/tmp/out to use another build directory).
 */
import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'

const dist = pathToFileURL(resolve(process.env.SIMBA_DIST ?? new URL('../dist', import.meta.url).pathname)).href
const { simba } = await import(`${dist}/optimizer/simba/index.js`)
const { LM } = await import(`${dist}/core/lm/lm.js`)
const { Predict } = await import(`${dist}/core/predict/predict.js`)
const { Example } = await import(`${dist}/core/example/example.js`)
const { emit, median, rounds, show } = await import('./lib.mjs')
const ROUNDS = rounds(3)

const TASK_MS = 100
const RULE_MS = 500
const N = 6
const B = 32
const STEPS = 4
const CONC = 64

const hash = (s) => { let h = 2166136261; for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619); return h >>> 0 }
const block = (text, name) => new RegExp(`\\[\\[ ## ${name} ## \\]\\]\\n([\\s\\S]*?)(?=\\n\\n\\[\\[ ## |\\n\\[\\[ ## |$)`).exec(text)?.[1]?.trim()
const reply = (fields) => Object.entries(fields).map(([k, v]) => `[[ ## ${k} ## ]]\n${typeof v === 'string' ? v : JSON.stringify(v)}`).join('\n\n') + '\n\n[[ ## completed ## ]]'

function answer(body, rollout) {
  const msgs = body.messages
  const system = msgs[0].content
  const last = msgs[msgs.length - 1].content
  if (system.includes('module_advice')) {
    const names = JSON.parse(block(last, 'module_names') ?? '[]')
    return { ms: RULE_MS, text: reply({ discussion: 'The better run used uppercase.', module_advice: Object.fromEntries(names.map((n) => [n, 'Answer in UPPERCASE.'])) }) }
  }
  const word = block(last, 'word') ?? ''
  // Each rule or demo teaches a bit more, but a fifth of the words stay hard: buckets keep
  // disagreeing, so every step writes rules (as on a real, not-yet-solved task).
  const skill = system.split('UPPERCASE').length - 1 + (msgs.length - 2) / 2
  const knows = hash(word) % 5 < Math.min(4, skill)
  const lucky = rollout !== undefined && body.temperature >= 1 && hash(`${rollout}:${word}`) % 3 === 0
  return { ms: TASK_MS, text: reply({ answer: knows || lucky ? word.toUpperCase() : word }) }
}

const server = createServer((req, res) => {
  let data = ''
  req.on('data', (c) => (data += c))
  req.on('end', () => {
    const body = JSON.parse(data)
    const { ms, text } = answer(body, req.headers['x-simba-rollout-id'])
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 } }))
    }, ms)
  })
})
server.keepAliveTimeout = 60_000
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const baseURL = `http://127.0.0.1:${server.address().port}/v1`

const trainset = Array.from({ length: 64 }, (_, i) => {
  const word = `w${i}x${hash(String(i)) % 997}`
  return new Example({ word, answer: word.toUpperCase() }, ['word'], `case-${i}`)
})
const metric = (ex, pred) => (pred.answer === ex.data.answer ? 1 : 0)

/** In-process LanguageModel: same replies, setTimeout latencies, its own limit of CONC calls. */
function scriptedLM(opts = {}, shared = { active: 0, queue: [], usage: { calls: 0, cachedCalls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, cost: 0 } }) {
  const acquire = () => (shared.active < CONC ? (shared.active++, Promise.resolve()) : new Promise((r) => shared.queue.push(r)))
  const release = () => { const next = shared.queue.shift(); if (next) next(); else shared.active-- }
  return {
    model: 'bench', temperature: opts.temperature ?? 0, rolloutId: opts.rolloutId,
    async call(request) {
      await acquire()
      try {
        const { ms, text } = answer({ messages: request.messages, temperature: this.temperature }, this.rolloutId)
        await new Promise((r) => setTimeout(r, ms))
        shared.usage.calls++
        return { text, usage: { promptTokens: 50, completionTokens: 10, totalTokens: 60 }, cached: false, model: 'bench' }
      } finally { release() }
    },
    copy(o) { return scriptedLM({ ...opts, ...o }, shared) },
    usage() { return { ...shared.usage } },
  }
}

async function once(schedule, kind) {
  const lm = kind === 'http' ? new LM({ model: 'bench', baseURL, apiKey: 'bench', cache: false, concurrency: CONC, sendRolloutHeader: true, maxRetries: 0 }) : scriptedLM()
  const steps = []
  let cur
  let callsBefore = 0
  const t0 = performance.now()
  const res = await simba(new Predict('word -> answer'), {
    trainset, metric, lm, seed: 1, bsize: B, numCandidates: N, maxSteps: STEPS, concurrency: CONC, schedule,
    onProgress: (e) => {
      if (e.type === 'step-start') cur = { start: performance.now() }
      if (e.type === 'step-end') {
        cur.ms = performance.now() - cur.start
        // Predict program: P = 1; no judge, cache off, so the count is exact unless a reply fails to parse.
        cur.calls = e.usage.calls - callsBefore
        cur.formula = (N + e.counts.built) * B * 1 + e.counts.ruleCalls
        callsBefore = e.usage.calls
        steps.push(cur)
      }
    },
  })
  const total = performance.now() - t0
  res.trialLogs.steps.forEach((log, i) => {
    const rules = log.candidates.some((c) => c.strategy === 'append_a_rule' && c.outcome === 'applied')
    const evals = log.candidates.filter((c) => c.outcome !== 'failed').length * B + (log.baselineScore !== undefined ? B : 0)
    steps[i].ideal = Math.ceil((N * B) / CONC) * TASK_MS + (rules ? RULE_MS : 0) + Math.ceil(evals / CONC) * TASK_MS
  })
  const sum = (k) => steps.reduce((a, s) => a + s[k], 0)
  return { res, steps, total, stepMs: sum('ms'), ideal: sum('ideal'), calls: sum('calls'), formula: sum('formula') }
}

async function report(kind) {
  await once('concurrent', kind) // warm sockets and JIT
  const ours = []
  const seq = []
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) { ours.push(await once('concurrent', kind)); seq.push(await once('sequential', kind)) }
    else { seq.push(await once('sequential', kind)); ours.push(await once('concurrent', kind)) }
  }
  const same = ours.every((o, r) => JSON.stringify(o.res.program.state()) === JSON.stringify(seq[r].res.program.state()))
  const eff = ours.map((o) => o.ideal / o.stepMs)
  const speed = ours.map((o, r) => seq[r].stepMs / o.stepMs)
  const speedTotal = ours.map((o, r) => seq[r].total / o.total)
  const callRatio = [...ours, ...seq].map((o) => o.calls / o.formula)
  const last = ours[ours.length - 1]
  console.log(`--- LM: ${kind === 'http' ? 'real LM over loopback HTTP (127.0.0.1)' : 'scripted LanguageModel, setTimeout latencies'}; ${ROUNDS} interleaved rounds ---`)
  console.log('per step (concurrent, last round): ' + last.steps.map((s, i) => `#${i} ${s.ms.toFixed(0)}ms (ideal ${s.ideal}), ${s.calls} calls (formula ${s.formula})`).join('; '))
  console.log('per step (sequential, last round): ' + seq[seq.length - 1].steps.map((s, i) => `#${i} ${s.ms.toFixed(0)}ms`).join(', '))
  console.log(`step_efficiency per round ${show(eff)}; median ${median(eff).toFixed(3)} (target >= 0.85)`)
  console.log(`speedup sequential/concurrent (step time) per round ${show(speed, 2)}; median ${median(speed).toFixed(2)} (target >= 1.8)`)
  console.log(`whole run incl. final selection, sequential/concurrent per round ${show(speedTotal, 2)}; median ${median(speedTotal).toFixed(2)}`)
  console.log(`calls per step ÷ formula, per run: ${show(callRatio)}; max ${Math.max(...callRatio).toFixed(3)} (target <= 1.0)`)
  console.log(`identical result in both schedules: ${same}; score ${last.res.score}; live calls ${last.res.usage.calls}`)
  return { eff: median(eff), effRounds: eff, speed: median(speed), speedRounds: speed, speedTotal: median(speedTotal), calls: Math.max(...callRatio), callsMedian: median(callRatio), same }
}

const kind = process.env.BENCH_LM ?? 'http'
const out = {}
for (const k of kind === 'both' ? ['scripted', 'http'] : [kind]) out[k] = await report(k)
server.close()
const main = out.http ?? out.scripted
emit({
  step_efficiency: main.eff,
  step_efficiency_rounds: main.effRounds,
  speedup_vs_sequential: main.speed,
  speedup_vs_sequential_rounds: main.speedRounds,
  speedup_vs_sequential_whole_run: main.speedTotal,
  calls_per_step_ratio: main.calls,
  schedules_identical: main.same,
  simba_schedule_lm: out.http ? 'http' : 'scripted',
})
