import { parseArgs } from 'node:util'
import type { SimulatorOptions } from './sim/server.js'

/** Usage of the simulator's CLI (the package's `vitest-simba-sim` bin; `npm run sim --` in this repository). */
export const SIM_USAGE =
  'usage: npx vitest-simba-sim --world <file.json> [--world <file2.json>] [--port N] [--host 127.0.0.1] [--latency-ms N] [--seed S]\n' +
  '       npx vitest-simba-sim bounds <world.json> [<world2.json> …]   (floor and ceiling of each world)'

/** Parses `vitest-simba-sim` arguments into simulator options (`help` when -h was given); throws a readable Error on bad input. */
export function parseSimArgs(argv: string[]): SimulatorOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      world: { type: 'string', multiple: true },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'latency-ms': { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) return 'help'
  const worlds = values.world ?? []
  if (worlds.length === 0) throw new Error(`no --world given.\n${SIM_USAGE}`)
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0) throw new Error(`--port must be a non-negative integer, got "${values.port}"`)
  const latencyMs = values['latency-ms'] === undefined ? undefined : Number(values['latency-ms'])
  if (latencyMs !== undefined && !(latencyMs >= 0)) throw new Error(`--latency-ms must be a number >= 0, got "${values['latency-ms']}"`)
  return { worlds, port, host: values.host, latency: latencyMs ? { fixedMs: latencyMs } : undefined, defaultSeed: values.seed }
}
