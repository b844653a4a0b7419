#!/usr/bin/env node
/**
 * `npx vitest-simba-sim --port 8787 --world examples/worlds/support-tickets.json [--world …] [--latency-ms 50] [--seed 0]`
 * (the package's second bin; `npm run sim --` in this repository): runs the simulated
 * OpenAI-compatible provider until SIGINT/SIGTERM.
 * `npx vitest-simba-sim bounds <world.json> [...]`: prints each world's floor and ceiling (test split, temperature 0).
 */
import { isSimbaError } from '../errors.js'
import { parseSimArgs, SIM_USAGE } from './cli-args.js'
import { startSimulator } from './sim/server.js'
import { worldBoundsSync } from './world/bounds.js'
import { loadWorld } from './world/load.js'

function printBounds(files: string[]): void {
  if (files.length === 0) throw new Error('usage: npx vitest-simba-sim bounds <world.json> [<world2.json> …]')
  const worlds = files.map((file) => loadWorld(file))
  const width = Math.max(26, ...worlds.map((w) => w.name.length))
  console.log(`${'world'.padEnd(width)} floor  ceiling  test cases`)
  for (const world of worlds) {
    const b = worldBoundsSync(world)
    console.log(`${world.name.padEnd(width)} ${b.floor.toFixed(3)}  ${b.ceiling.toFixed(3)}    ${b.cases}`)
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === 'bounds') return printBounds(process.argv.slice(3))
  const options = parseSimArgs(process.argv.slice(2))
  if (options === 'help') return void console.log(SIM_USAGE)
  const sim = await startSimulator(options)
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
