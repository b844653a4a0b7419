#!/usr/bin/env node
/**
 * `npm run optimize:agent [-- -u]`: starts the simulated provider on 127.0.0.1, runs
 * `vitest-simba --optimize` on the order-desk agent example against it, and stops it again.
 * Without `-u` nothing in the repository changes; with `-u` the optimized program, its new
 * baseline and the recorded LM fixtures are written. Everything stays on this machine.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startSimulator } from '../../dist/testing.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const world = fileURLToPath(new URL('../worlds/order-desk.json', import.meta.url))
const bin = fileURLToPath(new URL('../../dist/vitest/node/bin.js', import.meta.url))

const sim = await startSimulator({ worlds: [world] })
console.log(`simulated OpenAI-compatible provider (a stand-in, not a model) at ${sim.url}`)

const args = ['run', '--optimize', '--project', 'order-desk', ...process.argv.slice(2)]
// The simulator is local, so this run is allowed to "record" even where CI=true is set.
const env = { ...process.env, OPENAI_BASE_URL: sim.url }
delete env.CI
const started = Date.now()
const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: 'inherit' })
const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? (signal ? 1 : 0))))
await sim.close()
console.log(`\nnpm run optimize:agent finished in ${((Date.now() - started) / 1000).toFixed(1)} s (${sim.stats().requests} simulator requests)`)
process.exitCode = code
