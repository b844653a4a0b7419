#!/usr/bin/env node
/**
 * `npm run sim -- --port 8787 --world examples/worlds/support-tickets.json [--world …] [--latency-ms 50] [--seed 0]`:
 * runs the simulated OpenAI-compatible provider until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util'
import { isSimbaError } from '../errors.js'
import { startSimulator } from './sim/server.js'

const USAGE = 'usage: npm run sim -- --world <file.json> [--world <file2.json>] [--port N] [--host 127.0.0.1] [--latency-ms N] [--seed S]'

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      world: { type: 'string', multiple: true },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'latency-ms': { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) return void console.log(USAGE)
  const worlds = values.world ?? []
  if (worlds.length === 0) throw new Error(`no --world given.\n${USAGE}`)
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0) throw new Error(`--port must be a non-negative integer, got "${values.port}"`)
  const latencyMs = values['latency-ms'] === undefined ? undefined : Number(values['latency-ms'])
  if (latencyMs !== undefined && !(latencyMs >= 0)) throw new Error(`--latency-ms must be a number >= 0, got "${values['latency-ms']}"`)
  const sim = await startSimulator({
    worlds,
    port,
    host: values.host,
    latency: latencyMs ? { fixedMs: latencyMs } : undefined,
    defaultSeed: values.seed,
  })
  console.log(`vitest-simba simulated provider (not a model) listening at ${sim.url}`)
  console.log(`  export OPENAI_BASE_URL=${sim.url} OPENAI_API_KEY=sim`)
  const stop = (): void => {
    const s = sim.stats()
    void sim.close().then(() => {
      console.log(`stopped after ${s.requests} requests ${JSON.stringify(s.byKind)}`)
      process.exit(0)
    })
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: unknown) => {
  console.error(isSimbaError(error) ? error.message : `[vitest-simba] sim: ${(error as Error).message}`)
  process.exit(1)
})
