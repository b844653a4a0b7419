/**
 * Ax (the @ax-llm/ax library) optimizers against the simulated provider: AxGEPA and AxACE optimize an
 * Ax classifier on a bundled world over loopback, and the held-out score (the world's test split,
 * temperature 0) is printed before and after. Shows that the simulator answers another library's
 * reflection requests (recognised by content), so that library's optimizers can be measured.
 *
 *   npm run build && node bench/ax-smoke.mjs [--worlds support-tickets,helpdesk-misleadable] [--capture dir]
 *
 * `--capture dir` also writes every request body Ax sent (no headers, no keys) and the simulator's
 * reply to dir/<world>-<optimizer>.json. Offline: nothing leaves 127.0.0.1.
 */
import { createServer } from 'node:http'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ai, ax, AxACE, AxGEPA } from '@ax-llm/ax'
import { loadWorld, startSimulator } from '../dist/testing.js'

const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const worldNames = (arg('worlds') ?? 'support-tickets,helpdesk-misleadable').split(',')
const captureDir = arg('capture')

/** A loopback proxy in front of the simulator that records request bodies and replies (never headers). */
async function recordingProxy(target) {
  const log = []
  const server = createServer(async (req, res) => {
    let body = ''
    for await (const chunk of req) body += chunk
    const r = await fetch(target + req.url.replace(/^\/v1/, ''), { method: req.method, headers: { 'content-type': 'application/json' }, body: req.method === 'POST' ? body : undefined })
    const text = await r.text()
    if (req.method === 'POST') log.push({ body: JSON.parse(body), reply: JSON.parse(text)?.choices?.[0]?.message?.content ?? text })
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' })
    res.end(text)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}/v1`, log, close: () => new Promise((resolve) => server.close(resolve)) }
}

/** Every `step`-th case starting at `offset`: a spread over the labels (the files list cases by rule). */
const spread = (cases, n, offset = 0) => {
  const step = Math.max(1, Math.floor(cases.length / n))
  return Array.from({ length: Math.min(n, cases.length) }, (_, i) => cases[(offset + i * step) % cases.length])
}

async function run(worldName, optimizer) {
  const world = loadWorld(`examples/worlds/${worldName}.json`)
  const sim = await startSimulator({ worlds: [world] })
  const proxy = await recordingProxy(sim.url)
  try {
    const llm = ai({ name: 'openai', apiKey: 'sim', apiURL: proxy.url, config: { model: 'gpt-4o-mini', temperature: 0, stream: false } })
    const [input] = world.inputs
    const sig = `${world.inputs.map((k) => `${k}:string`).join(', ')} -> ${world.output}:class "${world.labels.join(', ')}"`
    const program = ax(sig)
    program.setInstruction(world.description ?? `Decide the ${world.output}.`)
    const toEx = (cases) => cases.map((c) => Object.fromEntries([...world.inputs, world.output].map((k) => [k, c[k]])))
    const metric = ({ prediction, example }) => (prediction?.[world.output] === example[world.output] ? 1 : 0)
    const heldOut = async () => {
      let s = 0
      for (const ex of toEx(world.test)) {
        try {
          s += metric({ prediction: await program.forward(llm, Object.fromEntries(world.inputs.map((k) => [k, ex[k]]))), example: ex })
        } catch {
          // an unparsable reply scores 0
        }
      }
      return s / world.test.length
    }
    const before = await heldOut()
    const mark = proxy.log.length
    const train = toEx(spread(world.train, 16))
    if (optimizer === 'gepa') {
      const opt = new AxGEPA({ studentAI: llm, teacherAI: llm, numTrials: 6, minibatch: true, minibatchSize: 6, seed: 7, verbose: false })
      const r = await opt.compile(program, train, metric, { validationExamples: toEx(spread(world.train, 12, 3)), maxMetricCalls: 400 })
      if (r.optimizedProgram) program.applyOptimization(r.optimizedProgram)
    } else {
      const opt = new AxACE({ studentAI: llm, teacherAI: llm, seed: 7, verbose: false }, { maxEpochs: 1, maxReflectorRounds: 1 })
      const r = await opt.compile(program, train, metric)
      r.optimizedProgram?.applyTo(program)
    }
    const optimizeCalls = proxy.log.length - mark
    const after = await heldOut()
    if (captureDir) {
      mkdirSync(captureDir, { recursive: true })
      writeFileSync(join(captureDir, `${worldName}-${optimizer}.json`), `${JSON.stringify(proxy.log, null, 1)}\n`)
    }
    void input
    return { world: worldName, optimizer, before, after, optimizeCalls, meta: sim.stats().byKind.meta ?? 0 }
  } finally {
    await proxy.close()
    await sim.close()
  }
}

const rows = []
for (const w of worldNames) for (const o of ['gepa', 'ace']) rows.push(await run(w, o))
console.log('world                    optimizer  held-out before  after   optimizer calls  meta-requests')
for (const r of rows) console.log(`${r.world.padEnd(24)} ${r.optimizer.padEnd(10)} ${r.before.toFixed(3).padStart(15)}  ${r.after.toFixed(3)}   ${String(r.optimizeCalls).padStart(15)}  ${String(r.meta).padStart(13)}`)
