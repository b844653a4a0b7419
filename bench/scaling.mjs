#!/usr/bin/env node
/**
 * Scaling benchmark: wall time, peak RSS and LM calls of one SIMBA run against the trainset size
 * (100, 1,000, 10,000), then against bsize (64), numCandidates (6) and concurrency (8) at 1,000
 * examples. Each
 * run is its own Node process (so peak RSS is that run's), the real `LM` over HTTP against the
 * simulated provider on 127.0.0.1 with no added latency (so the figures are our CPU and memory,
 * not waiting). Steps are few (maxSteps 2) to keep the whole table to a couple of minutes; the
 * final selection scores every finalist on the whole trainset (valset defaults to it), which is
 * the part that grows with the trainset.
 * Env: BENCH_SCALING_SIZES (comma list, default 100,1000,10000).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ROOT, runNode } from './lib.mjs'

const worldFile = join(ROOT, 'examples', 'worlds', 'support-tickets.json')
const BASE = { bsize: 16, numCandidates: 2, maxSteps: 2, concurrency: 32 }

if (process.argv[2] === '--child') {
  // One run: argv[3] = simulator URL, argv[4] = JSON config.
  const { LM, Predict, signature, simba, toExamples } = await import('../dist/index.js')
  const { z } = await import('zod')
  const cfg = JSON.parse(process.argv[4])
  const world = JSON.parse(readFileSync(worldFile, 'utf8'))
  const rows = Array.from({ length: cfg.size }, (_, i) => {
    const row = world.train[i % world.train.length]
    return { id: `c${i}`, ticket: `${row.ticket} (ref ${i})`, queue: row.queue }
  })
  const route = signature({
    instructions: 'Pick the queue that should handle the customer support ticket.',
    inputs: { ticket: z.string().describe("The customer's message") },
    outputs: { queue: z.enum(world.labels).describe('Queue that handles it') },
  })
  const lm = new LM({ model: 'simba-sim-1', baseURL: process.argv[3], apiKey: 'sk-bench', maxRetries: 0, cache: false, concurrency: cfg.concurrency, sendRolloutHeader: true })
  const t0 = performance.now()
  const res = await simba(new Predict(route), {
    trainset: toExamples(rows, ['ticket']),
    metric: (ex, p) => (p.queue === ex.data.queue ? 1 : 0),
    lm, seed: 0, bsize: cfg.bsize, numCandidates: cfg.numCandidates, maxSteps: cfg.maxSteps, concurrency: cfg.concurrency,
  })
  const seconds = (performance.now() - t0) / 1000
  process.stdout.write(JSON.stringify({ seconds, calls: res.usage.calls, rssMB: process.resourceUsage().maxRSS / 1024, score: res.score }) + '\n')
  process.exit(0)
}

const { startSimulator } = await import('../dist/testing.js')
const { emit } = await import('./lib.mjs')
const sizes = (process.env.BENCH_SCALING_SIZES ?? '100,1000,10000').split(',').map(Number)
const configs = [
  ...sizes.map((size) => ({ size, ...BASE })),
  { size: 1000, ...BASE, bsize: 64 },
  { size: 1000, ...BASE, numCandidates: 6 },
  { size: 1000, ...BASE, concurrency: 8 },
]
const sim = await startSimulator({ worlds: [worldFile] })
const rows = []
try {
  for (const cfg of configs) {
    const { output } = await runNode(ROOT, fileURLToPath(import.meta.url), ['--child', sim.url, JSON.stringify(cfg)])
    const r = JSON.parse(output.split('\n').find((l) => l.startsWith('{"seconds"')))
    rows.push({ ...cfg, seconds: r.seconds, rssMB: r.rssMB, calls: r.calls, msPerCall: (r.seconds * 1000) / r.calls })
    const last = rows[rows.length - 1]
    console.log(`T=${cfg.size} bsize=${cfg.bsize} N=${cfg.numCandidates} conc=${cfg.concurrency}: ${last.seconds.toFixed(2)} s, ${last.calls} LM calls, ${last.msPerCall.toFixed(2)} ms/call, peak RSS ${last.rssMB.toFixed(0)} MB`)
  }
} finally {
  await sim.close()
}
console.table(rows.map((r) => ({ trainset: r.size, bsize: r.bsize, N: r.numCandidates, concurrency: r.concurrency, steps: r.maxSteps, 'wall s': r.seconds.toFixed(2), 'LM calls': r.calls, 'ms per call': r.msPerCall.toFixed(2), 'peak RSS MB': r.rssMB.toFixed(0) })))
emit({ scaling: rows.map((r) => ({ ...r, seconds: Number(r.seconds.toFixed(3)), rssMB: Math.round(r.rssMB), msPerCall: Number(r.msPerCall.toFixed(3)) })) })
